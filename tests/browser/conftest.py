"""A real server on SQLite and Debian's Chromium driven by Playwright (no downloaded browser)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from parceldesk.bootstrap import Application, bootstrap
from parceldesk.config import Settings
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.domain.shipments import Shipment
from tests.factories import make_shipment, register
from tests.servers import running_server, server_env, share_model

CHROMIUM = "/usr/bin/chromium"
SERIALS = itertools.count(1000)
SHOP = "http://localhost:8999"  # a carrier's own site that embeds the chat widget
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("PARCELDESK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required here (Debian package chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    with sync_playwright() as playwright:
        # The widget test puts a "carrier site" and parceldesk on two loopback origins; real ones
        # are both public, so Chromium's local-network-access prompt does not apply to them.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--disable-features=LocalNetworkAccessChecks"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site(
    tmp_path_factory: pytest.TempPathFactory, understander: Understander
) -> Iterator[tuple[str, Application]]:
    """One server for the browser tests, and the application to give it parcels through."""
    data_dir = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "parceldesk", "init"],
        env=server_env(data_dir), check=True, capture_output=True,
    )  # fmt: skip
    share_model(data_dir, understander)
    application = bootstrap(Settings(data_dir=data_dir))
    embedding = {"PARCELDESK_EMBED_ORIGINS": f'["{SHOP}"]'}
    with running_server(data_dir, env=embedding) as base:
        yield base, application
    application.close()


@pytest.fixture
def base_url(site: tuple[str, Application]) -> str:
    return site[0]


@pytest.fixture
def add_shipment(site: tuple[str, Application]) -> Callable[..., Shipment]:
    def add(**fields: object) -> Shipment:
        ctx = site[1].context
        now = datetime.now(UTC)
        shipment = make_shipment(ctx.policy, serial=next(SERIALS), now=now, **fields)  # type: ignore[arg-type]
        return register(ctx, shipment)

    return add


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_as(page: Page, base: str, username: str, password: str = "correct horse 42") -> None:
    """Sign in to the agent workspace."""
    page.goto(f"{base}/agent/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
