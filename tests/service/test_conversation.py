"""The dialogue engine against real storage: events fold to state, handoff carries a summary."""

from __future__ import annotations

from parceldesk.conversation import events as e
from parceldesk.conversation.engine import Conversation
from parceldesk.conversation.nlu.understand import Understander
from parceldesk.conversation.state import fold
from parceldesk.services.context import Context
from tests.factories import given_shipment


def test_state_is_the_fold_of_the_events(ctx: Context, understander: Understander) -> None:
    shipment = given_shipment(ctx)
    talk = Conversation(ctx, understander, "c1")
    for text in (f"改地址 {shipment.waybill}", "尾号5678", "改到北京市海淀区中关村大街27号"):
        talk.handle(text)
    replayed = fold(talk.events)
    assert replayed == talk.state
    assert replayed.pending is not None
    assert replayed.pending.action == "change_address"
    resumed = Conversation(ctx, understander, "c1", history=talk.events)
    assert resumed.handle("对")[0].startswith("已修改")


def test_handoff_carries_a_summary_and_silences_the_bot(
    ctx: Context, understander: Understander
) -> None:
    shipment = given_shipment(ctx)
    talk = Conversation(ctx, understander, "c2")
    talk.handle(f"I want to change the address of {shipment.waybill}")
    talk.handle("5678")
    talk.handle("agent please")
    handoff = next(ev for ev in talk.events if isinstance(ev, e.HandoffRequested))
    assert handoff.reason == "customer_request"
    assert handoff.summary["intent"] == "change_address"
    assert handoff.summary["slots"]["waybill"] == shipment.waybill
    assert handoff.summary["verified"] == [shipment.waybill]
    assert "token" not in repr(handoff.summary)
    assert talk.handle("hello? anyone?") == []


def test_a_confirmed_change_is_written_once_even_if_the_yes_is_repeated(
    ctx: Context, understander: Understander
) -> None:
    shipment = given_shipment(ctx)
    talk = Conversation(ctx, understander, "c3")
    for text in (f"改地址 {shipment.waybill}", "5678", "改到海淀区中关村大街27号", "对", "对"):
        talk.handle(text)
    with ctx.uow() as uow:
        changes = [
            r for r in uow.audit.list_for_waybill(shipment.waybill) if r.action == "change_address"
        ]
    assert len(changes) == 1
    assert changes[0].channel == "chat"


def test_a_waybill_keyed_as_digits_alone_answers_the_waybill_question(
    ctx: Context, understander: Understander
) -> None:
    shipment = given_shipment(ctx)
    digits = shipment.waybill.removeprefix("PD")
    talk = Conversation(ctx, understander, "c4")
    talk.handle("我的快递到哪里了？")
    assert talk.state.asked == "waybill"
    status = talk.handle(f"{digits}#")
    assert talk.state.last_waybill == shipment.waybill
    assert talk.state.language == "zh"
    assert any(shipment.destination.city in reply for reply in status), status
    talk.handle("我要改收货地址")
    assert talk.state.slots["waybill"] == shipment.waybill


def test_digits_that_make_no_waybill_are_not_taken_for_one(
    ctx: Context, understander: Understander
) -> None:
    given_shipment(ctx)
    talk = Conversation(ctx, understander, "c5")
    talk.handle("Where is my parcel?")
    talk.handle("1234567890123")  # no carrier's check digit makes this valid
    assert "waybill" not in talk.state.slots
