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
