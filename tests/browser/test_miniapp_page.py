"""The self-service mini app in a real browser: reschedule through a link, a live address
read-back, and a tampered link refused."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from parceldesk.bootstrap import Application
from parceldesk.domain.shipments import PartyRole, Shipment, Status
from parceldesk.services.links import IssueSelfServiceLink, issue_link
from tests.browser.conftest import screenshot


def link(site: tuple[str, Application], shipment: Shipment) -> str:
    base, application = site
    command = IssueSelfServiceLink(shipment.waybill, PartyRole.RECIPIENT, "test")
    return f"{base}/m/{issue_link(application.context, command, base).token}"


def test_a_customer_reschedules_through_a_link(
    page: Page, site: tuple[str, Application], add_shipment: Callable[..., Shipment]
) -> None:
    shipment = add_shipment(status=Status.AT_STATION)
    url = link(site, shipment)
    page.goto(url)
    expect(page.get_by_role("heading", name=f"包裹 {shipment.waybill}")).to_be_visible()
    screenshot(page, "miniapp-overview-zh")
    page.goto(url + "?lang=en")
    page.get_by_role("link", name="Choose a delivery time").click()
    choices = page.get_by_role("radio")
    expect(choices.first).to_be_visible()
    choices.nth(2).check()
    chosen = choices.nth(2).get_attribute("value") or ""
    screenshot(page, "miniapp-reschedule-choose")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Please confirm: Choose a delivery time")
    ).to_be_visible()
    day, window = chosen.split("/")
    expect(page.locator(".readback")).to_contain_text(day)
    expect(page.locator(".readback")).to_contain_text(window)
    screenshot(page, "miniapp-reschedule-confirm")
    page.get_by_role("button", name="Confirm the change").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    screenshot(page, "miniapp-reschedule-done")
    with site[1].context.uow() as uow:
        appointment = uow.shipments.get(shipment.waybill).appointment
    assert appointment is not None
    assert f"{appointment.day.isoformat()}/{appointment.window}" == chosen
    page.goto(url + "?lang=en")
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()


def test_the_new_address_is_read_back_while_typing(
    page: Page, site: tuple[str, Application], add_shipment: Callable[..., Shipment]
) -> None:
    shipment = add_shipment()
    page.goto(link(site, shipment) + "/change_address")
    page.get_by_label("新的收货地址").fill("海淀区中关村大街27号")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("中关村大街27号", timeout=10_000)
    expect(preview).to_contain_text("海淀区")
    expect(preview).to_contain_text("费用")
    screenshot(page, "miniapp-address-preview")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".readback")).to_contain_text("中关村大街27号")
    screenshot(page, "miniapp-address-confirm")


def test_a_tampered_link_gets_a_clear_page(
    page: Page, site: tuple[str, Application], add_shipment: Callable[..., Shipment]
) -> None:
    url = link(site, add_shipment())
    body, signature = url.rsplit(".", 1)
    page.goto(f"{body}.{signature[::-1]}?lang=en")
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    screenshot(page, "miniapp-tampered")
