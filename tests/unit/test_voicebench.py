"""The recogniser's error and where a turn's time went, as `parceldesk bench voice` counts them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.services.context import Context
from parceldesk.storage.conversations import SqlConversationStore
from parceldesk.voicebench import (
    Playback,
    VoiceLatency,
    count_numbers_heard,
    find_sustained_calls,
    find_time_spent,
    word_error_rate,
)


def test_words_are_counted_with_a_spelled_waybill_as_one() -> None:
    pairs = [("Where is my parcel? It is P D 5 8 3.", "where's my parcel, it is PD583")]
    assert word_error_rate(pairs) == 1 / 7  # 7 words; "is" heard as the "s" of "where's"


def test_chinese_is_counted_in_characters() -> None:
    assert word_error_rate([("我要修改收货地址。", "我要修改收获地址")], "zh") == 1 / 8
    assert word_error_rate([("改到中关村大街27号", "改到中关村大街27号")], "zh") == 0.0


def test_a_long_number_counts_as_heard_only_with_every_digit_right_and_nothing_added() -> None:
    reference = "Deliver it to 25 Scotts Road, Singapore 2 2 8 2 2 0."
    pairs = [
        (reference, "Deliver it to 25 Scott's Road, Singapore 228220."),
        (reference, "Deliver it to 25 Scotts Road, Singapore 2282220."),  # a 2 added
        (reference, "Deliver it to 25 Scotts Road, Singapore 22820."),  # a 2 lost
        ("Yes, please go ahead.", "Yes, please go ahead."),  # no long number: not counted
        ("It is 5 6 7 8.", "It is 5678."),  # four digits: too short to count
    ]
    assert count_numbers_heard(pairs) == (3, 1)
    zh = [
        ("邮编 1 0 0 0 2 2。", "邮编一零零零二二。"),
        ("手机号是 1 3 8 1 2 3 4 5 6 7 8。", "手机号是138"),
    ]
    assert count_numbers_heard(zh, "zh") == (2, 1)  # Chinese digits are read as digits


def test_the_time_each_call_kept_is_summed_up_per_language(
    ctx: Context, engine: Engine, understander: Understander
) -> None:
    store = SqlConversationStore(engine)
    chat = ChatService(ctx, store, lambda: understander)
    for language, asr_ms in [("en", 300), ("en", 500), ("en", 400), ("zh", 900)]:
        call = chat.start("voice", language)
        chat.record_call_event(call.id, call.token, "heard", {"asr_ms": asr_ms, "asr_wait_ms": 50})
        chat.record_call_event(call.id, call.token, "answered",
                               {"turn_ms": 80, "first_audio_ms": asr_ms // 2})  # fmt: skip
    chat.start("web", "en")  # a chat has no call timings and is not counted
    since, until = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    spent = find_time_spent(store, "en", since, until)
    assert spent is not None
    assert (spent.turns, spent.asr_ms, spent.first_audio_ms) == (3, 400, 200)
    assert find_time_spent(store, "id", since, until) is None
    assert find_time_spent(store, "en", until, until) is None  # no call started then


def test_playback_counts_the_silence_while_the_next_piece_of_an_answer_was_made() -> None:
    playback = Playback()
    playback.received(8000, now=10.0)  # a second of audio: plays 10.0-11.0
    playback.received(4000, now=10.2)  # queued behind it: 11.0-11.5, no gap
    playback.received(8000, now=12.0)  # arrived half a second after the phone ran dry
    playback.received(800, now=12.5)  # still playing the last piece
    assert playback.first == 10.0
    assert playback.gaps == pytest.approx(0.5)
    assert playback.playhead == pytest.approx(13.1)


def test_calls_are_sustained_up_to_the_first_level_that_stutters_or_answers_late() -> None:
    def run(calls: int, p95_ms: float, gap_ms: float) -> VoiceLatency:
        return VoiceLatency("en", calls, 12 * calls, p95_ms - 100, p95_ms, gap_ms)

    runs = [run(4, 1500, 900), run(1, 650, 0), run(2, 790, 40), run(3, 1100, 150)]
    assert find_sustained_calls(runs) == 3  # four calls starve the speech of audio
    assert find_sustained_calls(runs, within_ms=800) == 2  # three answer later than 800 ms
    assert find_sustained_calls([run(1, 2100, 1900)]) == 0
    assert find_sustained_calls([run(1, 2100, 0)], within_ms=800) == 0
