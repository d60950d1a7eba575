"""The web chat in a real browser: an address change in each language, text-only rendering,
and messages that survive a dropped connection."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect

from parceldesk.domain.addresses import Address
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.shipments import Shipment
from tests.browser.conftest import SHOP, screenshot

JAKARTA = Address(
    "ID", "DKI Jakarta", "Jakarta Selatan", "Tebet", "Jl. Sudirman No. 5", "", "12810"
)


def send(page: Page, text: str) -> None:
    page.get_by_label(
        {"zh": "您的消息", "en": "Your message", "id": "Pesan Anda"}[_lang(page)]
    ).fill(text)
    page.keyboard.press("Enter")


def _lang(page: Page) -> str:
    lang = page.evaluate("document.documentElement.lang")
    return "zh" if lang.startswith("zh") else str(lang)


def bot_said(page: Page, text: str) -> None:
    expect(page.locator(".msg.bot").filter(has_text=text).last).to_be_visible(timeout=15_000)


CASES = {
    "zh": ("你好，我想改一下 {waybill} 的收货地址", "尾号5678", "改到北京市海淀区中关村大街27号",
           "是的，确认", "中关村大街27号"),
    "en": ("please change the delivery address of {waybill}", "5678",
           "北京市海淀区中关村大街27号", "Yes, go ahead", "中关村大街27号"),
    "id": ("saya mau ganti alamat pengiriman {waybill}", "7890",
           "Jl. Gatot Subroto No. 10, Setiabudi, Jakarta Selatan", "Ya, lanjutkan",
           "Gatot Subroto No. 10, Setiabudi"),
}  # fmt: skip


@pytest.mark.parametrize("language", ["zh", "en", "id"])
def test_a_customer_changes_the_address_in_their_language(
    page: Page, base_url: str, add_shipment: Callable[..., Shipment], language: str
) -> None:
    ask, digits, address, yes, expected = CASES[language]
    fields: dict[str, object] = {}
    if language == "id":
        fields = {"destination": JAKARTA, "recipient_phone": PhoneNumber("+6281234567890")}
    shipment = add_shipment(**fields)
    page.goto(f"{base_url}/chat?lang={language}")
    expect(page.locator(".msg.bot").first).to_be_visible()
    send(page, ask.format(waybill=shipment.waybill))
    expect(page.locator(".msg.bot")).to_have_count(2, timeout=15_000)
    send(page, digits)
    expect(page.locator(".msg.bot")).to_have_count(4, timeout=15_000)
    send(page, address)
    quick_yes = page.locator("#quick button", has_text=yes)
    expect(quick_yes).to_be_visible(timeout=15_000)
    screenshot(page, f"chat-{language}-confirm")
    quick_yes.click()
    expect(page.locator(".msg.bot").last).to_contain_text(expected, timeout=15_000)
    expect(page.locator(".msg.pending")).to_have_count(0)
    screenshot(page, f"chat-{language}-done")
    token = page.evaluate("JSON.parse(localStorage.getItem('parceldesk.chat'))")
    transcript = httpx.get(
        f"{base_url}/api/v1/conversations/{token['id']}",
        headers={"Authorization": f"Bearer {token['token']}"},
    ).json()
    assert [m["text"] for m in transcript["messages"] if m["sender"] == "customer"][-1] == yes


def test_markup_in_a_message_is_shown_as_text(page: Page, base_url: str) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{base_url}/chat?lang=en")
    expect(page.locator(".msg.bot").first).to_be_visible()
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>bold</b>'
    send(page, attack)
    expect(page.locator(".msg.bot")).to_have_count(2, timeout=15_000)
    mine = page.locator(".msg.customer").last
    expect(mine).to_contain_text(attack)
    assert mine.locator("img, script, b").count() == 0
    assert dialogs == []
    screenshot(page, "chat-markup-as-text")


def test_a_message_written_offline_is_delivered_once_when_back_online(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}/chat?lang=en")
    expect(page.locator(".msg.bot").first).to_be_visible()
    page.context.set_offline(True)
    send(page, "where is my parcel")
    expect(page.locator(".msg.customer.pending")).to_have_count(1)
    expect(page.locator("#status")).to_contain_text("Connection lost")
    screenshot(page, "chat-offline")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(".msg.customer.pending")).to_have_count(0, timeout=20_000)
    expect(page.locator(".msg.bot")).to_have_count(2, timeout=15_000)
    token = page.evaluate("JSON.parse(localStorage.getItem('parceldesk.chat'))")
    transcript = httpx.get(
        f"{base_url}/api/v1/conversations/{token['id']}",
        headers={"Authorization": f"Bearer {token['token']}"},
    ).json()
    assert [m["text"] for m in transcript["messages"] if m["sender"] == "customer"] == [
        "where is my parcel"
    ]


def test_a_reload_keeps_the_conversation(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/chat?lang=zh")
    expect(page.locator(".msg.bot").first).to_be_visible()
    send(page, "营业时间是几点")
    expect(page.locator(".msg.bot")).to_have_count(3, timeout=15_000)  # greeting, answer, check
    page.reload()
    expect(page.locator(".msg.customer")).to_have_count(1)
    expect(page.locator(".msg.customer")).to_contain_text("营业时间是几点")
    expect(page.locator(".msg.bot")).to_have_count(3)
    expect(page.locator(".msg.bot").last).to_contain_text("这个回答解决您的问题了吗")
    expect(page.get_by_role("button", name="发送")).to_be_visible()


def test_the_widget_opens_the_chat_on_an_allowed_site_only(page: Page, base_url: str) -> None:
    host_page = f'<!doctype html><title>Shop</title><h1>Shop</h1><script src="{base_url}/static/widget.js" data-lang="en" defer></script>'  # noqa: E501
    page.route(f"{SHOP}/**", lambda route: route.fulfill(body=host_page, content_type="text/html"))
    page.route("http://127.0.0.2:8999/**",
               lambda route: route.fulfill(body=host_page, content_type="text/html"))  # fmt: skip
    page.goto(f"{SHOP}/")
    page.get_by_role("button", name="Chat with us").click()
    chat = page.frame_locator("iframe[title='Chat with us']")
    expect(chat.locator(".msg.bot").first).to_be_visible(timeout=15_000)
    screenshot(page, "widget-on-allowed-site")
    page.goto("http://127.0.0.2:8999/")
    page.get_by_role("button", name="Chat with us").click()
    blocked = page.frame_locator("iframe[title='Chat with us']")
    expect(blocked.locator(".msg.bot")).to_have_count(0, timeout=3_000)
