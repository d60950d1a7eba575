"""Phone calls through the media endpoint, with speech the project synthesises itself."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.testclient import WebSocketTestSession

from parceldesk.channels.voice import session
from parceldesk.channels.voice.audio import (
    TELEPHONE_RATE,
    Samples,
    decode_ulaw,
    encode_ulaw,
    frames_of,
    resample,
)
from parceldesk.channels.voice.engines import VoiceEngines, find_voice_engines
from parceldesk.channels.voice.ports import SpeechSynthesizer
from parceldesk.channels.voice.speech_text import voice_words
from parceldesk.conversation import events as e
from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.conversation.ports import ConversationRecord
from parceldesk.domain.addresses import Address
from parceldesk.services.context import Context
from parceldesk.services.tracking import get_shipment
from parceldesk.storage.conversations import SqlConversationStore
from parceldesk.web.app import create_app
from tests.factories import BEIJING, JAKARTA, given_shipment

GATEWAY_KEY = "gateway-secret"


@pytest.fixture(scope="module")
def engines() -> VoiceEngines:
    found = find_voice_engines()
    if found is None:
        pytest.skip("the voice extra is not installed (pip install -e '.[voice]')")
    return found


@pytest.fixture
def store(engine: Engine) -> SqlConversationStore:
    return SqlConversationStore(engine)


@pytest.fixture
def client(
    ctx: Context, store: SqlConversationStore, understander: Understander, engines: VoiceEngines
) -> Iterator[TestClient]:
    with _client_of(ctx, store, understander, engines) as test_client:
        yield test_client


def _client_of(
    ctx: Context, store: SqlConversationStore, understander: Understander, engines: VoiceEngines
) -> TestClient:
    chat = ChatService(ctx, store, lambda: understander)
    app = create_app(
        ctx, chat, lambda: True, voice_engines=lambda: engines, voice_gateway_key=GATEWAY_KEY
    )
    return TestClient(app)


class Caller:
    """A SIP gateway's side of the stream: sends the caller's audio and keys, plays the bot."""

    def __init__(self, socket: WebSocketTestSession, engines: VoiceEngines) -> None:
        self.socket, self.engines = socket, engines
        self.transcript: list[tuple[str, str]] = []  # (speaker, text), if asked for

    def start(
        self, language: str = "en", caller: str | None = None, play_marks: bool = True,
        transcript: bool = False,
    ) -> bytes:  # fmt: skip
        parameters = {"language": language, **({"from": caller} if caller else {})}
        if transcript:
            parameters["transcript"] = "on"
        self.socket.send_json({"event": "connected"})
        self.socket.send_json({"event": "start", "start": {
            "streamSid": "MZ1", "callSid": "CA1", "customParameters": parameters,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }})  # fmt: skip
        return self.hear(play_marks)

    def say(self, text: str, language: str = "en") -> None:
        synthesizer = self.engines.synthesizer
        speech = np.concatenate(list(synthesizer.synthesize(text, language)))
        audio = resample(speech, synthesizer.rate(language), TELEPHONE_RATE) * 0.7
        silence = np.zeros(TELEPHONE_RATE, dtype=np.float32)  # a second of quiet ends the turn
        self.send_audio(encode_ulaw(np.concatenate([silence[:1600], audio, silence])))

    def send_audio(self, ulaw: bytes) -> None:
        for frame in frames_of(ulaw):
            payload = base64.b64encode(frame).decode()
            self.socket.send_json({"event": "media", "media": {"payload": payload}})

    def press(self, keys: str) -> None:
        for key in keys:
            self.socket.send_json({"event": "dtmf", "dtmf": {"digit": key}})

    def hear(self, play_marks: bool = True) -> bytes:
        """The bot's audio until the end of its answer (echoing each mark as played)."""
        audio = b""
        while True:
            frame = self.socket.receive_json()
            if frame["event"] == "media":
                audio += base64.b64decode(frame["media"]["payload"])
            elif frame["event"] == "mark":
                if play_marks:
                    self.socket.send_json({"event": "mark", "mark": frame["mark"]})
                if frame["mark"]["name"].endswith("-end"):
                    return audio
            elif frame["event"] == "transcript":
                said = frame["transcript"]
                self.transcript.append((said["speaker"], said["text"]))
            elif frame["event"] == "error":
                raise AssertionError(frame)

    def hang_up(self) -> None:
        self.socket.send_json({"event": "stop", "stop": {}})


def transcribed(engines: VoiceEngines, ulaw: bytes) -> str:
    return engines.recognizer.transcribe(decode_ulaw(ulaw), TELEPHONE_RATE, "en").lower()


def calls(store: SqlConversationStore) -> list[tuple[ConversationRecord, list[e.Event]]]:
    since, until = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    return [(record, [x.event for x in stored]) for record, stored in store.list_logs(since, until)]


def events_of(store: SqlConversationStore) -> list[e.Event]:
    ((_, events),) = calls(store)
    return events


def test_a_caller_tracks_a_parcel_by_voice_and_verifies_with_keys(
    client: TestClient, ctx: Context, store: SqlConversationStore, engines: VoiceEngines
) -> None:
    shipment = given_shipment(ctx, serial=583920174261)
    spelled = " ".join(shipment.waybill)
    with client.websocket_connect("/api/v1/voice/media") as socket:
        caller = Caller(socket, engines)
        greeting = caller.start()
        assert "press 0" in transcribed(engines, greeting) or "person" in transcribed(
            engines, greeting
        )
        caller.say(f"Where is my parcel? The waybill number is {spelled}.")
        status = caller.hear()
        if not _said_waybill(store, shipment.waybill):  # misheard: say it again, as callers do
            caller.say(f"It is {spelled}.")
            status = caller.hear()
        caller.say("I want to change the delivery address.")
        caller.hear()
        caller.press("5678#")
        verified = caller.hear()
        caller.hang_up()
    said = [x.text for x in events_of(store) if isinstance(x, e.UserSaid)]
    heard = [x.detail for x in events_of(store) if isinstance(x, e.CallEvent) and x.kind == "heard"]
    assert _said_waybill(store, shipment.waybill), heard
    assert said[-1] == "5678"
    assert len(status) > TELEPHONE_RATE  # more than a second of spoken status
    assert "verified" in transcribed(engines, verified)
    kinds = [x.kind for x in events_of(store) if isinstance(x, e.CallEvent)]
    assert (kinds[0], kinds[-1]) == ("call_started", "call_stopped")
    assert {"heard", "dtmf"} <= set(kinds)
    assert caller.transcript == []  # a gateway that did not ask gets audio only


def test_a_caller_who_asks_gets_the_words_as_well_as_the_audio(
    client: TestClient, ctx: Context, store: SqlConversationStore, engines: VoiceEngines
) -> None:
    shipment = given_shipment(ctx, serial=583920174261)
    with client.websocket_connect("/api/v1/voice/media") as socket:
        caller = Caller(socket, engines)
        caller.start(transcript=True)
        greeted = list(caller.transcript)
        caller.say("Where is my parcel?")
        caller.hear()
        caller.press(shipment.waybill[2:] + "#")  # the keypad has digits only
        caller.hear()
        caller.hang_up()
    bot_said = [x.text for x in events_of(store) if isinstance(x, e.BotSaid)]
    user_said = [x.text for x in events_of(store) if isinstance(x, e.UserSaid)]
    assert greeted
    assert {speaker for speaker, _ in greeted} == {"bot"}
    assert greeted[0][1] == bot_said[0]  # the words as written, not as normalised for speech
    assert [text for speaker, text in caller.transcript if speaker == "caller"] == user_said
    assert "parcel" in user_said[0].lower()
    assert user_said[1] == shipment.waybill[2:]
    shown = [text for speaker, text in caller.transcript if speaker == "bot"]
    assert all(text in shown for text in bot_said)


def _said_waybill(store: SqlConversationStore, waybill: str) -> bool:
    """Whether the engine got the waybill from what the caller said (whole, in one turn): the
    recogniser may group its digits as it likes ("pd 5 839 2017 42612"), the engine reads them."""
    return e.SlotFilled("waybill", waybill) in events_of(store)


@dataclass(frozen=True)
class AddressChangeCall:
    """What a caller says in one language; the waybill and the digits are keyed."""

    destination: Address
    track: str
    change: str
    new_address: str
    yes: str
    changed_street: str  # what the new destination's street must start with
    read_back: str  # what the bot's read-back holds when it heard the new address right
    no: str  # how a caller starts a correction


ORCHARD = Address("SG", "", "Singapore", "", "10 Orchard Road", "", "238839")
ADDRESS_CHANGE_CALLS = {
    "en": AddressChangeCall(
        ORCHARD, "Where is my parcel?", "I want to change the delivery address.",
        "Deliver it to 25 Scotts Road, Singapore 2 2 8 2 2 0.", "Yes, please go ahead.", "25 Sc",
        "25 sc", "No.",
    ),
    "zh": AddressChangeCall(
        BEIJING, "我的快递到哪里了？", "我要修改收货地址。", "改到北京市海淀区中关村大街27号。",
        "好的。", "", "中关村大街", "不对，",
    ),
    "id": AddressChangeCall(
        JAKARTA, "Paket saya di mana?", "Saya mau ganti alamat pengiriman.",
        "Alamat baru saya Jalan Kemang Raya nomor 8.", "Ya, benar.", "Jalan kemang raya",
        "kemang raya", "Bukan,",
    ),
}  # fmt: skip


def _read_back(store: SqlConversationStore, expected: str) -> bool:
    """Whether the bot's last words hold what it should have heard."""
    said = [x.text for x in events_of(store) if isinstance(x, e.BotSaid)]
    return expected.lower() in said[-1].lower()


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(ADDRESS_CHANGE_CALLS))
def test_a_caller_tracks_a_parcel_and_changes_its_address_by_voice(
    client: TestClient, ctx: Context, store: SqlConversationStore, engines: VoiceEngines,
    language: str,
) -> None:  # fmt: skip
    script = ADDRESS_CHANGE_CALLS[language]
    shipment = given_shipment(ctx, serial=583920174261, destination=script.destination)
    with client.websocket_connect("/api/v1/voice/media") as socket:
        caller = Caller(socket, engines)
        caller.start(language)
        for step in (script.track, shipment.waybill[2:] + "#", script.change, "5678#",
                     script.new_address):  # fmt: skip
            caller.press(step) if step.endswith("#") else caller.say(step, language)
            caller.hear()
        if not _read_back(store, script.read_back):  # misheard: correct it, as callers do
            caller.say(f"{script.no} {script.new_address}", language)
            caller.hear()
        caller.say(script.yes, language)
        caller.hear()
        caller.hang_up()
    events = events_of(store)
    heard = [x.detail["text"] for x in events if isinstance(x, e.CallEvent) and x.kind == "heard"]
    executed = [x.action for x in events if isinstance(x, e.ActionExecuted)]
    said = [x.text for x in events if isinstance(x, e.BotSaid)]
    assert executed == ["change_address"], "\n".join(heard + said)
    changed = get_shipment(ctx, shipment.waybill).destination
    assert changed != script.destination
    assert changed.street.lower().startswith(script.changed_street.lower())
    with ctx.uow() as uow:
        (audited,) = [r for r in uow.audit.list_for_waybill(shipment.waybill)
                      if r.action == "change_address"]  # fmt: skip
    assert audited.channel == "voice"


def test_pressing_zero_hands_the_call_to_a_person(
    client: TestClient, store: SqlConversationStore, engines: VoiceEngines
) -> None:
    with client.websocket_connect("/api/v1/voice/media") as socket:
        caller = Caller(socket, engines)
        caller.start()
        caller.press("0")
        caller.hear()
        caller.hang_up()
    assert any(isinstance(x, e.HandoffRequested) for x in events_of(store))


ASKING_FOR_A_PERSON = {
    "en": "I want to talk to a person.",
    "zh": "请帮我转人工客服。",
    "id": "Tolong sambungkan ke agen.",
}


@pytest.mark.parametrize("language", sorted(ASKING_FOR_A_PERSON))
def test_asking_for_a_person_hands_the_call_over(
    client: TestClient, store: SqlConversationStore, engines: VoiceEngines, language: str
) -> None:
    with client.websocket_connect("/api/v1/voice/media") as socket:
        caller = Caller(socket, engines)
        caller.start(language)
        caller.say(ASKING_FOR_A_PERSON[language], language)
        answer = caller.hear()
        caller.hang_up()
    events = events_of(store)
    assert any(isinstance(x, e.HandoffRequested) for x in events)
    assert len(answer) > TELEPHONE_RATE  # the caller is told, not left in silence


def test_speaking_over_the_bot_stops_its_playback(
    client: TestClient, store: SqlConversationStore, engines: VoiceEngines
) -> None:
    with client.websocket_connect("/api/v1/voice/media") as socket:
        caller = Caller(socket, engines)
        caller.start(play_marks=False)  # the gateway is still playing the greeting
        caller.say("Where is my parcel?")
        frames = []
        while (frame := socket.receive_json())["event"] != "clear":
            frames.append(frame["event"])
        caller.hang_up()
    assert any(isinstance(x, e.CallEvent) and x.kind == "barge_in" for x in events_of(store))


class HeldFiller:
    """The real synthesizer, except that the first filler is not finished until released: the
    caller speaks over a filler still being made, as over a slow engine's."""

    def __init__(self, real: SpeechSynthesizer, filler: str) -> None:
        self.real, self.name, self.filler = real, real.name, filler
        self.holding, self.released = threading.Event(), threading.Event()

    def rate(self, language: str) -> int:
        return self.real.rate(language)

    def synthesize(self, text: str, language: str) -> Iterator[Samples]:
        if text == self.filler and not self.holding.is_set():
            self.holding.set()
            self.released.wait(timeout=60)
        yield from self.real.synthesize(text, language)


def test_speaking_over_a_filler_still_gets_an_answer(
    ctx: Context, store: SqlConversationStore, understander: Understander, engines: VoiceEngines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(session, "FILLER_AFTER_SECONDS", 0)  # every answer is "slow"
    held = HeldFiller(engines.synthesizer, str(voice_words()["en"]["filler"]))
    slow = replace(engines, synthesizer=held)
    try:
        with (
            _client_of(ctx, store, understander, slow) as test_client,
            test_client.websocket_connect("/api/v1/voice/media") as socket,
        ):
            caller = Caller(socket, engines)
            caller.start()
            caller.say("I want to track my parcel.")
            assert held.holding.wait(timeout=60), "no filler was played"
            caller.say("I want to track my parcel.")  # over the filler
            answer = caller.hear()
            caller.hang_up()
    finally:
        held.released.set()
    assert "number" in transcribed(engines, answer)  # "please tell me the waybill number"
    kinds = [x.kind for x in events_of(store) if isinstance(x, e.CallEvent)]
    assert kinds.index("filler") < kinds.index("barge_in")


def test_sound_that_makes_no_words_is_asked_again_not_met_with_silence(
    client: TestClient, store: SqlConversationStore, engines: VoiceEngines
) -> None:
    seconds = np.arange(int(1.5 * TELEPHONE_RATE)) / TELEPHONE_RATE
    hum = (0.3 * np.sin(2 * np.pi * 300 * seconds)).astype(np.float32)  # "speech" to the VAD
    with client.websocket_connect("/api/v1/voice/media") as socket:
        caller = Caller(socket, engines)
        caller.start()
        caller.send_audio(encode_ulaw(np.concatenate([hum, np.zeros(TELEPHONE_RATE, np.float32)])))
        answer = caller.hear()
        caller.hang_up()
    assert "again" in transcribed(engines, answer)
    events = events_of(store)
    assert not any(isinstance(x, e.UserSaid) for x in events)  # nothing reached the engine


def test_caller_id_is_trusted_only_from_the_gateway(
    client: TestClient, store: SqlConversationStore, engines: VoiceEngines
) -> None:
    phone = "+8613912345678"
    with client.websocket_connect("/api/v1/voice/media") as socket:
        Caller(socket, engines).start(caller=phone)
    auth = {"Authorization": f"Bearer {GATEWAY_KEY}"}
    with client.websocket_connect("/api/v1/voice/media", headers=auth) as socket:
        Caller(socket, engines).start(caller=phone)
    phones = sorted(str(record.caller_phone) for record, _ in calls(store))
    assert phones == ["+8613912345678", "None"]


def test_without_the_voice_extra_the_endpoint_says_so(
    ctx: Context, store: SqlConversationStore, understander: Understander
) -> None:
    app = create_app(ctx, ChatService(ctx, store, lambda: understander), lambda: True)
    with TestClient(app) as client, client.websocket_connect("/api/v1/voice/media") as socket:
        frame = socket.receive_json()
    assert frame["code"] == "voice_not_installed"
    assert "parceldesk[voice]" in frame["message"]


def test_a_bad_frame_gets_a_clear_error(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/voice/media") as socket:
        socket.send_text("not json")
        frame = socket.receive_json()
    assert frame == {"event": "error", "code": "invalid_input",
                     "message": "media frames must be JSON objects"}  # fmt: skip
