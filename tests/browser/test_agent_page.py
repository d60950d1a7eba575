"""The agent workspace in a real browser: sign in, see the customer who asked for a person."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from parceldesk.bootstrap import Application
from parceldesk.domain.agents import AgentRole
from parceldesk.domain.shipments import Shipment
from parceldesk.services.agents import AddAgent, add_agent
from tests.browser.conftest import screenshot, sign_in_as


def test_an_agent_signs_in_and_sees_the_handoff(page: Page, site: tuple[str, Application]) -> None:
    base, application = site
    account = AddAgent("mei", "Mei", AgentRole.AGENT, frozenset({"zh"}), frozenset({"general"}),
                       3, "correct horse 42")  # fmt: skip
    add_agent(application.context, account)
    page.goto(f"{base}/chat?lang=zh")
    expect(page.locator(".msg.bot").first).to_be_visible()
    page.get_by_label("您的消息").fill("转人工")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(3, timeout=15_000)
    expect(page.locator(".msg.bot").last).to_contain_text("您目前排在第")
    page.set_viewport_size({"width": 1280, "height": 720})  # agents work at a desk
    page.goto(f"{base}/agent")
    page.get_by_label("Username").fill("mei")
    page.get_by_label("Password").fill("correct horse 42")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Waiting for a person")).to_be_visible()
    expect(page.locator("table.queue")).to_contain_text("customer_request")
    screenshot(page, "agent-queue")
    page.get_by_role("link", name="human_agent").first.click()
    expect(page.get_by_role("list", name="Transcript")).to_contain_text("转人工")
    expect(page.get_by_role("heading", name="Handoff summary")).to_be_visible()
    screenshot(page, "agent-conversation")
    page.get_by_role("link", name="← Queue").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()


def test_an_agent_takes_over_and_the_customer_sees_the_message_live(
    page: Page,
    browser: Browser,
    site: tuple[str, Application],
    add_shipment: Callable[..., Shipment],
) -> None:
    base, application = site
    account = AddAgent("ayu", "Ayu", AgentRole.AGENT, frozenset({"en"}), frozenset({"general"}),
                       3, "correct horse 42")  # fmt: skip
    add_agent(application.context, account)
    shipment = add_shipment()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(f"{base}/chat?lang=en")
    expect(page.locator(".msg.bot").first).to_be_visible()
    for text, bots in ((f"please change the delivery address of {shipment.waybill}", 2),
                       ("5678", 4), ("北京市海淀区中关村大街27号", 5),
                       ("hmm, can I talk to a person", 7)):  # fmt: skip
        page.get_by_label("Your message").fill(text)
        page.keyboard.press("Enter")
        expect(page.locator(".msg.bot")).to_have_count(bots, timeout=15_000)
    agent_side = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in_as(agent_side, base, "ayu")
    agent_side.locator("table.queue a").last.click()
    expect(agent_side.locator(".facts").first).to_contain_text(shipment.waybill)
    # from the open conversation to the address changed: three clicks, timed
    started = time.perf_counter()
    agent_side.get_by_role("button", name="Take this conversation").click()
    expect(agent_side.get_by_label("New delivery address")).to_have_value(
        re.compile("中关村大街27号")
    )  # pre-filled from what the customer wrote
    agent_side.get_by_role("button", name="Change the address…").click()
    expect(agent_side.locator(".proposal")).to_contain_text("中关村大街27号")
    screenshot(agent_side, "agent-confirm-address")
    agent_side.get_by_role("button", name="Confirm the change").click()
    expect(agent_side.get_by_role("list", name="Transcript")).to_contain_text("Done.")
    seconds = time.perf_counter() - started
    print(f"agent address change: 3 clicks, {seconds:.1f} s from opening the conversation")
    with application.context.uow() as uow:
        assert uow.shipments.get(shipment.waybill).destination.street == "中关村大街27号"
    expect(page.locator(".msg.agent")).to_contain_text("中关村大街27号", timeout=10_000)
    agent_side.get_by_label("Message to the customer").fill("Anything else I can do?")
    agent_side.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.agent").last).to_contain_text("Anything else", timeout=10_000)
    screenshot(page, "chat-agent-message")
    screenshot(agent_side, "agent-took-over")
    assert errors == []  # the Content-Security-Policy lets the chat's own WebSocket through
    assert sockets  # the agent's messages came over the WebSocket, not by polling
    agent_side.context.close()


def test_a_chat_is_routed_to_the_available_agent_who_works_it_live_and_others_cannot_open_it(
    page: Page, browser: Browser, site: tuple[str, Application]
) -> None:
    base, application = site
    for username, language in (("wayan", "id"), ("lin", "zh")):
        add_agent(application.context, AddAgent(username, username.title(), AgentRole.AGENT,
                                                frozenset({language}), frozenset({"general"}), 20,
                                                "correct horse 42"))  # fmt: skip
    agent_side = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in_as(agent_side, base, "wayan")
    agent_side.get_by_role("button", name="Become available").click()
    expect(agent_side.get_by_role("heading", name="You are available")).to_be_visible()
    page.goto(f"{base}/chat?lang=id")
    expect(page.locator(".msg.bot").first).to_be_visible()
    page.get_by_label("Pesan Anda").fill("saya mau bicara dengan agen")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("Wayan dari tim kami", timeout=15_000)
    conversation = page.evaluate("JSON.parse(localStorage.getItem('parceldesk.chat')).id")
    agent_side.reload()  # the browser server is shared: other tests' chats may be routed too
    mine = agent_side.get_by_role("region", name=re.compile(r"Your conversations \(\d+\)"))
    mine.locator(f"a[href='/agent/conversations/{conversation}']").click()
    expect(agent_side.get_by_role("list", name="Transcript")).to_contain_text("bicara dengan agen")
    agent_side.get_by_role("group", name="Suggested replies").get_by_role("button").first.click()
    expect(agent_side.get_by_label("Message to the customer")).to_have_value(
        re.compile("^Halo, saya Wayan")
    )
    agent_side.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.agent").last).to_contain_text("Halo, saya Wayan", timeout=10_000)
    page.get_by_label("Pesan Anda").press_sequentially("paket saya ", delay=20)
    expect(agent_side.locator("#presence")).to_contain_text("typing", timeout=10_000)
    page.get_by_label("Pesan Anda").press_sequentially("<b>rusak</b>")
    page.keyboard.press("Enter")
    line = agent_side.get_by_role("list", name="Transcript").locator(".line.customer").last
    expect(line).to_have_text(re.compile("paket saya <b>rusak</b>"), timeout=10_000)  # as text
    screenshot(agent_side, "agent-live-conversation")
    conversation_url = agent_side.url
    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in_as(other, base, "lin")
    expect(other.get_by_role("heading", name="Your conversations (0)")).to_be_visible()  # away
    response = other.goto(conversation_url)
    assert response is not None
    assert response.status == 404
    expect(other.get_by_role("heading", name="Not found")).to_be_visible()
    screenshot(other, "agent-other-queue-refused")
    page.close()  # the customer leaves
    expect(agent_side.locator("#presence")).to_contain_text("has left", timeout=10_000)
    other.context.close()
    agent_side.context.close()
