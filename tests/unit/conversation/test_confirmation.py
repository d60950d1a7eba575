"""An explicit yes before any write: negations win, idioms that mean yes stay yes."""

from __future__ import annotations

import pytest

from parceldesk.conversation.utterances import confirmation


@pytest.mark.parametrize(
    "text",
    ["对", "是的", "好的", "可以", "确认", "同意", "没问题", "没错", "行", "yes", "Yes please",
     "ok", "go ahead", "sure, do it", "ya", "iya kak", "betul", "oke lanjut", "boleh"],
)  # fmt: skip
def test_yes(text: str) -> None:
    assert confirmation(text) == "yes"


@pytest.mark.parametrize(
    "text",
    ["不对", "不是", "别这样办", "错的", "算了", "取消", "no", "not right", "don't", "that's wrong",
     "nope", "tidak", "bukan", "jangan dulu", "salah kak", "gak", "batal", "yes, no wait"],
)  # fmt: skip
def test_no(text: str) -> None:
    assert confirmation(text) == "no"


@pytest.mark.parametrize("text", ["改到5号楼", "where is my parcel", "besok sore", "hmm"])
def test_neither(text: str) -> None:
    assert confirmation(text) is None


@pytest.mark.parametrize(
    "text",
    ["wait, where is it right now?", "is it right?", "地址是哪里", "是吗", "可以吗", "right?",
     "deliver it right after lunch", "kirimnya jam berapa ya?", "是不是明天到啊？", "ok but wait",
     "好，等一下", "iya tapi bentar", "no problem, but hold on"],
)  # fmt: skip
def test_a_question_or_a_yes_word_inside_other_words_is_not_a_yes(text: str) -> None:
    assert confirmation(text) != "yes"


@pytest.mark.parametrize(
    "text",
    ["that's right", "the address is right", "地址是对的", "那就这样吧", "why not", "嗯嗯",
     "ok go ahead and change it", "iya betul kak"],
)  # fmt: skip
def test_a_yes_at_the_start_or_in_a_short_message(text: str) -> None:
    assert confirmation(text) == "yes"
