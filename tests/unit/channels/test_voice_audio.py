"""Telephone audio, the media-stream frames, turn detection and the text around speech."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from parceldesk.channels.voice.audio import FRAME_SAMPLES, decode_ulaw, encode_ulaw, frames_of
from parceldesk.channels.voice.media import (
    AudioReceived,
    CallStarted,
    KeyPressed,
    read_media_event,
)
from parceldesk.channels.voice.speech_text import heard_text, spoken_pieces, spoken_text
from parceldesk.channels.voice.turns import END_SILENCE_MS, PAUSE_MS, Heard, TurnDetector
from parceldesk.domain.errors import InvalidInput


def test_ulaw_round_trip_keeps_a_tone_within_companding_error() -> None:
    tone = (0.5 * np.sin(np.linspace(0, 400, 8000))).astype(np.float32)
    decoded = decode_ulaw(encode_ulaw(tone))
    assert np.max(np.abs(decoded - tone)) < 0.02  # G.711 steps at this level are ~1/64
    assert encode_ulaw(np.zeros(4, dtype=np.float32)) == b"\xff" * 4  # μ-law silence


def test_every_ulaw_code_but_negative_zero_survives_decode_and_encode() -> None:
    codes = bytes(range(256))
    changed = [
        c for c, back in zip(codes, encode_ulaw(decode_ulaw(codes)), strict=True) if c != back
    ]
    assert changed == [0x7F]  # -0 and +0 are the same sample


def test_frames_are_padded_with_silence() -> None:
    frames = frames_of(b"\x00" * (FRAME_SAMPLES + 10))
    assert [len(f) for f in frames] == [FRAME_SAMPLES, FRAME_SAMPLES]
    assert frames[1].endswith(b"\xff")


def test_media_frames_are_read_and_bad_ones_refused() -> None:
    parameters = {"from": "+8613912345678", "language": "zh"}
    frame = {"event": "start", "start": {"streamSid": "MZ", "customParameters": parameters}}
    start = read_media_event(json.dumps(frame))
    assert start == CallStarted("MZ", "", "+8613912345678", "zh", None, parameters)
    payload = base64.b64encode(b"\x01\x02").decode()
    media = {"event": "media", "media": {"payload": payload}}
    assert read_media_event(json.dumps(media)) == AudioReceived(b"\x01\x02")
    assert read_media_event('{"event": "dtmf", "dtmf": {"digit": "#"}}') == KeyPressed("#")
    bad_frames = [
        {"event": "dtmf", "dtmf": {"digit": "12"}},
        {"event": "media", "media": {"payload": "***"}},
        {"event": "dance"},
        [],
        {"event": "start", "start": {"mediaFormat": {"encoding": "audio/L16"}}},
    ]
    for bad in [*(json.dumps(frame) for frame in bad_frames), "x" * 70000]:
        with pytest.raises(InvalidInput):
            read_media_event(bad)


class FakeVad:
    """Speech is any frame louder than a threshold (a stand-in for webrtcvad's model)."""

    name = "fake"

    def is_speech(self, pcm16: bytes) -> bool:
        return bool(np.abs(np.frombuffer(pcm16, dtype="<i2")).mean() > 500)


LOUD = encode_ulaw(np.full(FRAME_SAMPLES, 0.3, dtype=np.float32))
QUIET = encode_ulaw(np.zeros(FRAME_SAMPLES, dtype=np.float32))


def test_a_turn_ends_after_enough_silence_and_keeps_its_audio() -> None:
    detector = TurnDetector(FakeVad())
    assert detector.feed(LOUD) == Heard()  # one click is not speech
    started = [detector.feed(LOUD).started for _ in range(10)]
    assert started.count(True) == 1
    ends = [detector.feed(QUIET).utterance for _ in range(END_SILENCE_MS // 20)]
    assert all(end is None for end in ends[:-1])
    utterance = ends[-1]
    assert utterance is not None
    assert len(utterance) >= 11 * FRAME_SAMPLES


def test_a_pause_hands_out_the_utterance_so_far_and_speaking_on_makes_it_stale() -> None:
    detector = TurnDetector(FakeVad())
    for _ in range(10):
        detector.feed(LOUD)
    paused = [detector.feed(QUIET).pausing for _ in range(PAUSE_MS // 20)]
    assert [p is not None for p in paused] == [False] * (len(paused) - 1) + [True]
    for _ in range(5):  # the caller goes on: the next pause hands out a longer guess
        assert detector.feed(LOUD) == Heard()
    heard = [detector.feed(QUIET) for _ in range(END_SILENCE_MS // 20)]
    (guess,) = [h.pausing for h in heard if h.pausing is not None]
    end = heard[-1]
    assert end.utterance is not None
    assert end.after_pause
    first_guess = paused[-1]
    assert first_guess is not None
    assert len(guess) > len(first_guess)
    np.testing.assert_array_equal(end.utterance[: len(guess)], guess)
    assert not np.any(end.utterance[len(guess) :])  # after the guess, only silence


def test_a_long_first_sentence_is_synthesised_phrase_first() -> None:
    said = "To protect your details, please tell me the last 4 digits. Thank you!"
    assert spoken_pieces(said, "en") == [
        "To protect your details,", "please tell me the last 4 digits.", "Thank you!",
    ]  # fmt: skip
    assert spoken_pieces("Hello, how are you? Fine.", "en") == ["Hello, how are you?", "Fine."]


def test_a_slow_voice_gets_a_short_first_piece_and_each_next_one_grows() -> None:
    # Kokoro (Mandarin, Indonesian) takes ~0.3 s a second of speech: the first piece is short,
    # cut at a word when no phrase ends early enough, and each next piece is made while the one
    # before plays, so it may be up to three times as long
    status = spoken_text("包裹 PD000100100109：运输中，目前在北京。预计明天送达。", "zh")
    assert spoken_pieces(status, "zh") == [
        "包裹 P D，", "0 0 0 1，0 0 1 0，", "0 1 0 9：运输中，目前在北京。", "预计明天送达。",
    ]  # fmt: skip
    asked = "请提供收件人或寄件人手机号的后四位，以便核实身份。"
    assert spoken_pieces(asked, "zh") == ["请提供收件人或", "寄件人手机号的后四位，以便核实身份。"]
    asked = "Mohon sebutkan 4 digit terakhir nomor HP penerima atau pengirim untuk verifikasi."
    assert spoken_pieces(asked, "id") == [
        "Mohon sebutkan 4 digit", "terakhir nomor HP penerima atau pengirim untuk verifikasi.",
    ]  # fmt: skip
    assert spoken_pieces("Halo!", "id") == ["Halo!"]
    changing = spoken_text("Saya akan mengubah alamat PD000100100109 menjadi: Jalan Kemang.", "id")
    assert spoken_pieces(changing, "id")[:2] == [  # letters and digits read out are not split,
        "Saya akan mengubah alamat P D,", "0 0 0 1, 0 0 1 0, 0 1 0 9 menjadi:",  # and take long
    ]  # fmt: skip


def test_numbers_times_and_abbreviations_are_never_cut_into_two_pieces() -> None:
    # "8." and "50元" would be read as two amounts, "14:" and "00" as two numbers
    fee = spoken_text("费用 ¥8.50。确认修改吗？（对/不对）", "zh")
    assert spoken_pieces(fee, "zh") == ["费用 8.50元。", "确认修改吗？"]
    fee = spoken_text("This costs ¥12.50. Shall I go ahead? (yes/no)", "en")
    assert spoken_pieces(fee, "en") == ["This costs 12.50 yuan.", "Shall I go ahead?"]
    moved = "Done: your delivery is now on 5 December, between 14:00-18:00. Anything else?"
    assert spoken_pieces(moved, "en") == [
        "Done: your delivery is now on 5 December,", "between 14:00-18:00.", "Anything else?",
    ]  # fmt: skip
    moved = "已改到12月5日 14:00-18:00 派送。还有别的吗？"
    assert any("14:00-18:00" in piece for piece in spoken_pieces(moved, "zh"))
    address = "Alamat baru: Jl. Sudirman No. 5 Jakarta. Biaya Rp 15.000. Benar?"
    assert spoken_pieces(spoken_text(address, "id"), "id") == [
        "Alamat baru:", "Jl. Sudirman No. 5 Jakarta.", "Biaya 15.000 rupiah.", "Benar?",
    ]  # fmt: skip
    moved = "Pengiriman diubah ke 5 Desember, 14:00-18:00. Ada lagi?"
    assert spoken_pieces(moved, "id")[:2] == ["Pengiriman diubah ke 5 Desember,", "14:00-18:00."]


def test_dates_and_delivery_windows_are_read_as_people_say_them() -> None:
    # as written, a synthesiser says "two thousand twenty-six dash twelve dash zero five"
    said = "I will deliver it on 2026-12-05, 14:00-18:00. Slots: 09:00-12:00, 12:30-18:00."
    assert spoken_text(said, "en") == (
        "I will deliver it on December 5, 2 pm to 6 pm. Slots: 9 am to 12 pm, 12:30 pm to 6 pm."
    )
    assert spoken_text("我将在2026-12-05 14:00-18:00派送", "zh") == "我将在12月5日 14点到18点派送"
    assert spoken_text("Diantar 2026-01-31, 09:30-12:00.", "id") == (
        "Diantar 31 Januari, pukul 9 30 sampai pukul 12."
    )
    assert spoken_text("Buka sampai 00:15", "id") == "Buka sampai pukul 0 15"
    assert spoken_text("Open until 00:15", "en") == "Open until 12:15 am"
    # not a clock: a longer number, a ratio written with two colons, a waybill
    assert spoken_text("Code 123:45 and 1:2:3", "en") == "Code 123:45 and 1:2:3"


def test_text_is_made_fit_to_read_aloud_in_each_language() -> None:
    en = spoken_text("Change PD0012345670? This costs ¥12.00. Shall I go ahead? (yes/no)", "en")
    assert en == "Change P D, 0 0 1 2, 3 4 5 6, 7 0? This costs 12 yuan. Shall I go ahead?"
    assert spoken_text("运单 LC12345678SG 已签收", "zh") == "运单 L C，1 2 3 4，5 6 7 8，S G 已签收"
    assert spoken_text("费用 ¥8.50。确认修改吗？（对/不对）", "zh") == "费用 8.50元。确认修改吗？"
    assert (
        spoken_text("Biaya Rp15,000. Lanjutkan? (ya/tidak)", "id")
        == "Biaya 15000 rupiah. Lanjutkan?"
    )


def test_spoken_numbers_are_joined_back() -> None:
    assert (
        heard_text("The waybill is P D 0 0 1 2 3 4 5 6 7 0.", "en")
        == "The waybill is PD0012345670."
    )
    assert heard_text("number pd-583920174261, one two three four", "en") == (
        "number PD583920174261, 1234"
    )
    assert heard_text("后四位是五六七八", "zh") == "后四位是5678"
    assert heard_text("改到中关村大街二十七号五号楼", "zh") == "改到中关村大街27号5号楼"
    assert heard_text("我想了解一下", "zh") == "我想了解一下"
    assert heard_text("The number is PD5839201742 612.", "en") == "The number is PD5839201742612."
    assert heard_text("PD5839201742612 5678", "en") == "PD5839201742612 5678"
    assert (
        heard_text("The Wable number is PD-5839-2017-42612.", "en")
        == "The Wable number is PD5839201742612."
    )
    assert heard_text("it is 5678, I 123 456", "en") == "it is 5678, I 123 456"
    assert heard_text("nomornya lima enam tujuh delapan", "id") == "nomornya 5678"
    assert heard_text("Ganti kejalan Sudirman No.5", "id") == "Ganti ke Jalan Sudirman No.5"
    assert heard_text("kejalanan", "id") == "kejalanan"
    assert heard_text("Singapore 228,220.", "en") == "Singapore 228220."
    assert heard_text("Scots Road, sing the port 228220.", "en") == (
        "Scots Road, sing the port 228220."  # a misheard word is not a carrier code
    )
