"""Language identification for Chinese, English and Indonesian, mixed messages included."""

from __future__ import annotations

import pytest

from parceldesk.conversation.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我的快递到哪了", "zh"),
        ("你好，我想改一下 PD0000000000059 的收货地址", "zh"),
        ("帮我check一下这个parcel到哪了", "zh"),
        ("转人工", "zh"),
        ("where is my parcel", "en"),
        ("can u deliver it to my office instead", "en"),
        ("Hi, I want to change the delivery address please", "en"),
        ("paket saya di mana ya", "id"),
        ("tolong kirim besok sore aja", "id"),
        ("mau ganti alamat pengiriman dong kak", "id"),
        ("resi saya JX00012345675 udah sampai belum", "id"),
        ("my paket belum sampai, where is it", "en"),
    ],
)
def test_the_main_language_of_a_message(text: str, language: str) -> None:
    assert detect_language(text).language == language


@pytest.mark.parametrize(
    "text",
    ["isinya kurang", "TUNDA PENGIRIMANNYA", "jadwal ulang pengantaran", "iya lanjutkan",
     "benar sekali", "gaskeun dong"],
)  # fmt: skip
def test_indonesian_without_marker_words_is_known_by_its_letters(text: str) -> None:
    assert detect_language(text).language == "id"
    assert detect_language(text, hint="en").language == "id"  # the customer switched


def test_words_both_languages_use_keep_the_conversation_language() -> None:
    for text in ("ok", "yup", "bye", "hiya"):
        assert detect_language(text, hint="id").language == "id"
        assert detect_language(text, hint="en").language == "en"
        assert detect_language(text, hint="zh").language == "zh"
    assert detect_language("where is my parcel", hint="id").language == "en"
    assert detect_language("paket saya di mana", hint="en").language == "id"


def test_a_message_without_words_follows_the_conversation() -> None:
    assert detect_language("5678", hint="id").language == "id"
    assert detect_language("PD0000000000059", hint="zh").language == "zh"
    assert detect_language("ok").language == "en"


def test_code_switching_is_flagged_as_mixed() -> None:
    assert detect_language("帮我check一下这个parcel到哪了").mixed
    assert not detect_language("where is my parcel").mixed
