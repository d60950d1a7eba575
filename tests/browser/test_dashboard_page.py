"""The footprint dashboard in a real browser: a supervisor signs in and reads the charts."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from parceldesk.bootstrap import Application
from parceldesk.domain.agents import AgentRole
from parceldesk.services.agents import AddAgent, add_agent
from tests.browser.conftest import screenshot, sign_in_as


def test_a_supervisor_reads_the_footprint_charts(page: Page, site: tuple[str, Application]) -> None:
    base, application = site
    add_agent(application.context, AddAgent("planner", "Planner", AgentRole.SUPERVISOR,
                                            frozenset({"zh"}), frozenset({"general"}), 3,
                                            "correct horse 42"))  # fmt: skip
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, base, "planner")
    page.goto(f"{base}/dashboard/footprint")
    expect(page.get_by_role("heading", name="Side by side")).to_be_visible()
    expect(page.get_by_role("img", name="PUE by month")).to_be_visible()
    expect(
        page.get_by_role("img", name="Cooling mode by month, Lingqiu (Datong, Shanxi)")
    ).to_be_visible()
    expect(page.locator("table.compare")).to_contain_text("Dry-mode months")
    box = page.get_by_role("img", name="PUE by month").bounding_box()
    assert box is not None
    assert box["width"] > 500  # readable, not a thumbnail
    screenshot(page, "dashboard-footprint")
    assert errors == []  # the charts need nothing the Content-Security-Policy forbids
    page.get_by_label("Contacts a year").fill("-5")
    page.get_by_role("button", name="Plan").click()
    expect(page.get_by_role("alert")).to_contain_text("between 1 and")


def test_a_supervisor_reads_the_numbers_and_drills_down(
    page: Page, site: tuple[str, Application]
) -> None:
    base, application = site
    boss = AddAgent("boss", "Boss", AgentRole.ADMIN, frozenset({"en"}), frozenset({"general"}),
                    3, "correct horse 42")  # fmt: skip
    add_agent(application.context, boss)
    page.goto(f"{base}/chat?lang=en")
    expect(page.locator(".msg.bot").first).to_be_visible()
    page.get_by_label("Your message").fill("how much does shipping cost")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").last).to_have_text(re.compile("Did that answer"))
    page.get_by_role("button", name="Yes, thanks").click()  # the buttons offered with it
    expect(page.locator(".msg.bot").last).to_contain_text("from 1 (poor) to 5 (excellent)")
    screenshot(page, "chat-survey")
    page.get_by_role("button", name="4").click()
    expect(page.locator(".msg.bot").last).to_contain_text("Thank you for your rating")
    page.get_by_label("Your message").fill("let me talk to a human please")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(7, timeout=15_000)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, base, "boss")
    page.get_by_role("link", name="Numbers").click()
    cards = page.get_by_role("region", name="Headline numbers")
    expect(cards).to_contain_text("AI resolution (strict)")
    expect(cards).to_contain_text("Containment (no handoff)")
    expect(cards).to_contain_text("CSAT (rated 4-5 of 5)")
    expect(cards).to_contain_text("1 survey answers")
    expect(page.get_by_role("img", name="AI resolution and containment by day")).to_be_visible()
    screenshot(page, "dashboard-numbers")
    cards.get_by_role("link", name=re.compile("Handed to a person")).click()
    expect(page.get_by_role("heading", name=re.compile("Handed to a person"))).to_be_visible()
    expect(page.locator("table.queue")).to_contain_text("customer_request")
    screenshot(page, "dashboard-drill-down")
