"""Use cases that file something: damage/loss claims, pickup bookings, complaints."""

from __future__ import annotations

from datetime import datetime

from parceldesk.domain.addresses import check_address
from parceldesk.domain.commands import BookPickup, FileClaim, FileComplaint
from parceldesk.domain.errors import InvalidInput
from parceldesk.domain.phones import parse_phone
from parceldesk.domain.policy.requests import decide_claim, decide_complaint, decide_pickup
from parceldesk.domain.records import Claim, Complaint, Pickup
from parceldesk.domain.shipments import Appointment, Party, Shipment
from parceldesk.domain.waybills import check_waybill
from parceldesk.services.context import Context
from parceldesk.services.ports import UnitOfWork
from parceldesk.services.shipment_changes import check_fee_accepted
from parceldesk.services.verification import authorise, authorise_party
from parceldesk.services.writes import (
    Actor,
    Change,
    WriteResult,
    WriteSpec,
    new_reference,
    run_write,
)


def check_text(text: str, what: str, limit: int = 2000) -> str:
    cleaned = text.strip() if isinstance(text, str) else ""
    if not cleaned or len(cleaned) > limit:
        raise InvalidInput(f"please describe the {what} in 1-{limit} characters")
    return cleaned


def file_claim(ctx: Context, cmd: FileClaim) -> WriteResult:
    waybill = check_waybill(cmd.waybill, ctx.policy.carriers)
    description = check_text(cmd.description, "damage or loss")

    def perform(uow: UnitOfWork, now: datetime) -> tuple[Actor, Shipment, Change]:
        shipment = uow.shipments.get(waybill)
        actor, role = authorise_party(ctx, uow, cmd.credential, waybill)
        decision = decide_claim(ctx.policy, shipment, role, cmd.kind, now).enforce()
        assert decision.compensation_cap is not None
        claim = Claim(
            new_reference("CL", now), waybill, cmd.kind, role, description,
            cmd.amount_claimed, decision.compensation_cap, now,
        )  # fmt: skip
        uow.records.add_claim(claim)
        details = {"kind": cmd.kind, "compensation_cap": str(decision.compensation_cap)}
        return actor, shipment, Change(reference=claim.reference, details=details)

    return run_write(ctx, WriteSpec("file_claim", cmd, cmd.idempotency_key, cmd.channel), perform)


def book_pickup(ctx: Context, cmd: BookPickup) -> WriteResult:
    address = check_address(cmd.address, ctx.policy.served_countries)
    region = address.country
    contact = Party(
        check_text(cmd.contact.name, "contact name", 100), parse_phone(cmd.contact.phone, region)
    )
    items = check_text(cmd.items, "items", 500)

    def perform(uow: UnitOfWork, now: datetime) -> tuple[Actor, None, Change]:
        decision = decide_pickup(
            ctx.policy, country=region, day=cmd.day, window=cmd.window,
            weight_grams=cmd.weight_grams, items=items, now=now,
        ).enforce()  # fmt: skip
        check_fee_accepted(decision, cmd.accepted_fee)
        assert decision.fee is not None
        pickup = Pickup(
            new_reference("PU", now), contact, address, Appointment(cmd.day, cmd.window),
            cmd.weight_grams, items, decision.fee, now,
        )  # fmt: skip
        uow.records.add_pickup(pickup)
        change = Change(
            fee=decision.fee, reference=pickup.reference, details={"slot": str(pickup.appointment)}
        )
        return Actor("customer", None), None, change

    return run_write(ctx, WriteSpec("book_pickup", cmd, cmd.idempotency_key, cmd.channel), perform)


def file_complaint(ctx: Context, cmd: FileComplaint) -> WriteResult:
    decide_complaint(ctx.policy, cmd.category, cmd.severity).enforce()
    description = check_text(cmd.description, "complaint")
    waybill = check_waybill(cmd.waybill, ctx.policy.carriers) if cmd.waybill else None
    phone = (
        parse_phone(cmd.contact_phone, ctx.policy.default_country) if cmd.contact_phone else None
    )

    def perform(uow: UnitOfWork, now: datetime) -> tuple[Actor, Shipment | None, Change]:
        shipment = uow.shipments.get(waybill) if waybill else None
        actor = Actor("customer", None)
        if cmd.credential is not None and waybill:
            actor = authorise(ctx, uow, cmd.credential, waybill)
        complaint = Complaint(
            new_reference("CP", now), waybill, cmd.category, cmd.severity, description, phone, now
        )
        uow.records.add_complaint(complaint)
        escalate = cmd.severity >= ctx.policy.complaints.handoff_severity
        details = {"category": cmd.category, "severity": cmd.severity, "escalate": escalate}
        return actor, shipment, Change(reference=complaint.reference, details=details)

    return run_write(
        ctx, WriteSpec("file_complaint", cmd, cmd.idempotency_key, cmd.channel), perform
    )
