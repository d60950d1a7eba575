"""Self-service links: signed, expiring, single-shipment, spent by their first change."""

from __future__ import annotations

import pytest

from parceldesk.domain.commands import ChangeDeliveryAddress
from parceldesk.domain.errors import NotVerified
from parceldesk.domain.shipments import PartyRole
from parceldesk.services.context import Context, FixedClock
from parceldesk.services.links import (
    IssueSelfServiceLink,
    LinkExpired,
    LinkInvalid,
    LinkUsed,
    issue_link,
    open_link,
    spend_link,
)
from parceldesk.services.shipment_changes import change_delivery_address
from tests.factories import BEIJING_SAME_DISTRICT, RECIPIENT_PHONE, given_shipment, key

BASE = "https://help.example.com"


def test_a_link_is_texted_to_the_party_and_acts_for_them_once(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    link = issue_link(
        ctx, IssueSelfServiceLink(shipment.waybill, PartyRole.RECIPIENT, "test"), BASE
    )
    with ctx.uow() as uow:
        [sms] = uow.outbox.list_to(RECIPIENT_PHONE)
    assert f"{BASE}/m/{link.token}" in sms.body
    opened = open_link(ctx, link.token)
    assert (opened.waybill, opened.role) == (shipment.waybill, PartyRole.RECIPIENT)
    change = ChangeDeliveryAddress(
        shipment.waybill, opened.credential, "miniapp", key(), BEIJING_SAME_DISTRICT
    )
    change_delivery_address(ctx, change)
    spend_link(ctx, opened, "miniapp")
    with pytest.raises(LinkUsed):
        open_link(ctx, link.token)
    again = ChangeDeliveryAddress(
        shipment.waybill, opened.credential, "miniapp", key(), BEIJING_SAME_DISTRICT
    )
    with pytest.raises(NotVerified):
        change_delivery_address(ctx, again)


def test_a_changed_character_or_a_forged_link_opens_nothing(ctx: Context) -> None:
    shipment = given_shipment(ctx)
    link = issue_link(ctx, IssueSelfServiceLink(shipment.waybill, PartyRole.RECIPIENT, "t"), BASE)
    body, signature = link.token.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    for token in (f"{flipped}.{signature}", f"{body}.{signature[:-2]}xx", body, "", "a.b.c",
                  f"{body}.é", "x" * 1000):  # fmt: skip
        with pytest.raises(LinkInvalid):
            open_link(ctx, token)


def test_a_link_expires(ctx: Context, clock: FixedClock) -> None:
    shipment = given_shipment(ctx)
    link = issue_link(ctx, IssueSelfServiceLink(shipment.waybill, PartyRole.SENDER, "t"), BASE)
    clock.advance(minutes=ctx.policy.verification.link_ttl_hours * 60 + 1)
    with pytest.raises(LinkExpired):
        open_link(ctx, link.token)
