"""Telling what happened, asking to complain, and telling the bot it is useless."""

from __future__ import annotations

from datetime import date

import pytest

from parceldesk.conversation.descriptions import answers_what_happened, tells_what_happened
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.conversation.utterances import is_frustrated

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    "text",
    [
        "the courier for PD0000000100008 was really rude to my mum today",
        "my parcel PD0000000100008 arrived today and the vase inside is smashed",
        "paket PD0000000100008 nyampe tp isinya pecah kak",
        "快递 PD0000000100008 收到的时候东西摔碎了",
        "投诉快递员态度差",
    ],
)
def test_a_first_message_that_tells_what_happened(understander: Understander, text: str) -> None:
    assert tells_what_happened(understander.understand(text, TODAY))


@pytest.mark.parametrize(
    "text",
    [
        "I want to make a complaint about PD0000000100008",
        "I want to report a damaged parcel PD0000000100008",
        "saya mau komplain",
        "mau klaim paket rusak",
        "我要投诉",
        "快递 PD0000000100008 坏了，我要理赔",
    ],
)
def test_a_first_message_that_only_asks(understander: Understander, text: str) -> None:
    assert not tells_what_happened(understander.understand(text, TODAY))


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("smashed", True),
        ("碎了", True),
        ("rusak", True),
        ("ya ajukan klaim", False),
        ("yes please file it", False),
        ("PD0000000100008", False),
        ("提交理赔", False),
    ],
)
def test_an_answer_to_what_happened(understander: Understander, text: str, answers: bool) -> None:
    assert answers_what_happened(understander.understand(text, TODAY)) is answers


@pytest.mark.parametrize(
    ("text", "frustrated"),
    [
        ("you don't understand, this bot is useless", True),
        ("You’re not listening!!", True),
        ("你到底懂不懂", True),
        ("kamu ngerti gak sih??", True),
        ("I don't understand why it is late", False),
        ("我不懂怎么填地址", False),
        ("saya tidak mengerti caranya", False),
        ("can I talk to someone who understands customs", False),
    ],
)
def test_frustration_with_the_bot(text: str, frustrated: bool) -> None:
    assert is_frustrated(text) is frustrated
