"""The call page in Chromium with a fake microphone that plays speech the project synthesised:
the caller is heard, the engine answers, and the bot's audio comes back to the page."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from parceldesk.bootstrap import Application
from parceldesk.channels.voice.audio import resample
from parceldesk.channels.voice.engines import find_voice_engines
from parceldesk.conversation import events as e
from parceldesk.domain.shipments import Shipment
from tests.browser.conftest import CHROMIUM, screenshot

MIC_RATE = 48000


def microphone_file(folder: Path, text: str) -> Path:
    """``text`` spoken after 6 s of quiet (the greeting plays first) and followed by 4 s more."""
    engines = find_voice_engines()
    if engines is None:
        pytest.skip("the voice extra is not installed (pip install -e '.[voice]')")
    voice = engines.synthesizer
    speech = np.concatenate(list(voice.synthesize(text, "en")))
    speech = resample(speech, voice.rate("en"), MIC_RATE) * 0.7
    quiet = np.zeros(MIC_RATE * 6, dtype=np.float32)
    audio = np.concatenate([quiet, speech, quiet[: MIC_RATE * 4]])
    path = folder / "caller.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(MIC_RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def user_said(application: Application, started: datetime) -> list[str]:
    logs = application.conversation_store().list_logs(started, started + timedelta(hours=1))
    return [x.event.text for _, stored in logs for x in stored if isinstance(x.event, e.UserSaid)]


def greeting_seconds(page: Page) -> str:
    """The seconds of bot audio received once the greeting is all in (no change for a second)."""
    seen = ""
    deadline = time.monotonic() + 30
    while (now := page.locator("#received").text_content() or "") in ("", "0.0") or now != seen:
        assert time.monotonic() < deadline, "the greeting never finished arriving"
        seen = now
        page.wait_for_timeout(1000)
    return seen


@pytest.mark.slow
def test_a_caller_speaks_through_the_browser_microphone(
    tmp_path: Path, base_url: str, site: tuple[str, Application], browser: Browser,
    add_shipment: Callable[..., Shipment],
) -> None:  # fmt: skip
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    shipment = add_shipment()
    spelled = " ".join(shipment.waybill)
    wav = microphone_file(tmp_path, f"Where is my parcel? The waybill number is {spelled}.")
    started = datetime.now(UTC) - timedelta(seconds=5)
    # a second Chromium (from the session's Playwright), with a fake microphone
    phone = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    ])  # fmt: skip
    page = phone.new_context(viewport={"width": 420, "height": 860}).new_page()
    page.goto(f"{base_url}/call")
    page.get_by_role("button", name="Call").click()
    expect(page.locator("#status")).to_contain_text("Connected")
    greeting = greeting_seconds(page)  # all of it arrives before the caller speaks
    deadline = time.monotonic() + 90
    while "parcel" not in " ".join(user_said(site[1], started)).lower():
        assert time.monotonic() < deadline, user_said(site[1], started)
        page.wait_for_timeout(500)
    # the answer's audio came on top of the greeting's (it may all be in already: it is sent
    # faster than it plays), and its words follow the caller's in the transcript
    expect(page.locator("#received")).not_to_have_text(greeting, timeout=30_000)
    log = page.get_by_role("log", name="Call events")
    expect(log.locator(".msg.customer").first).to_contain_text("parcel")  # the words heard
    expect(log.locator(".msg.bot").first).to_contain_text("Assistant said")
    expect(log.locator(".msg.customer + .msg.bot").first).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="0").click()
    expect(log).to_contain_text("You pressed 0")
    screenshot(page, "call-page")
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#status")).to_contain_text("Call ended")
    phone.close()
    assert any("my parcel" in text.lower() for text in user_said(site[1], started))
