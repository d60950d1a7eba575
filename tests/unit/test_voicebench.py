"""The recogniser's error as `parceldesk bench voice` counts it."""

from __future__ import annotations

from parceldesk.voicebench import word_error_rate


def test_words_are_counted_with_a_spelled_waybill_as_one() -> None:
    pairs = [("Where is my parcel? It is P D 5 8 3.", "where's my parcel, it is PD583")]
    assert word_error_rate(pairs) == 1 / 7  # 7 words; "is" heard as the "s" of "where's"


def test_chinese_is_counted_in_characters() -> None:
    assert word_error_rate([("我要修改收货地址。", "我要修改收获地址")], "zh") == 1 / 8
    assert word_error_rate([("改到中关村大街27号", "改到中关村大街27号")], "zh") == 0.0
