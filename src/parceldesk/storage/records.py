"""SQL store for claims, pickup bookings and complaints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from parceldesk.domain.money import Money
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.records import Claim, Complaint, Pickup
from parceldesk.domain.shipments import Appointment, Party, PartyRole, TimeWindow
from parceldesk.storage import tables as t
from parceldesk.storage.mapping import address_from_json, address_to_json


class SqlRecordStore:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add_claim(self, claim: Claim) -> None:
        amount = claim.amount_claimed
        self._db.execute(
            insert(t.claims),
            [{"reference": claim.reference, "waybill": claim.waybill, "kind": claim.kind,
              "claimant": claim.claimant.value, "description": claim.description,
              "amount_claimed_minor": amount.minor if amount else None,
              "cap_minor": claim.compensation_cap.minor,
              "currency": claim.compensation_cap.currency, "filed_at": claim.filed_at,
              "status": claim.status}],
        )  # fmt: skip

    def add_pickup(self, pickup: Pickup) -> None:
        self._db.execute(
            insert(t.pickups),
            [{"reference": pickup.reference, "contact_name": pickup.contact.name,
              "contact_phone": pickup.contact.phone, "address": address_to_json(pickup.address),
              "day": pickup.appointment.day, "window": str(pickup.appointment.window),
              "weight_grams": pickup.weight_grams, "items": pickup.items,
              "fee_minor": pickup.fee.minor, "currency": pickup.fee.currency,
              "booked_at": pickup.booked_at, "status": pickup.status}],
        )  # fmt: skip

    def add_complaint(self, complaint: Complaint) -> None:
        self._db.execute(
            insert(t.complaints),
            [{"reference": complaint.reference, "waybill": complaint.waybill,
              "category": complaint.category, "severity": complaint.severity,
              "description": complaint.description, "contact_phone": complaint.contact_phone,
              "filed_at": complaint.filed_at, "status": complaint.status}],
        )  # fmt: skip

    def find_claims(self, waybill: str) -> Sequence[Claim]:
        rows = self._db.execute(select(t.claims).where(t.claims.c.waybill == waybill))
        return [_claim(r._mapping) for r in rows]

    def find_complaint(self, reference: str) -> Complaint | None:
        row = self._db.execute(
            select(t.complaints).where(t.complaints.c.reference == reference)
        ).first()
        if row is None:
            return None
        m = row._mapping
        return Complaint(
            m["reference"], m["waybill"], m["category"], m["severity"], m["description"],
            m["contact_phone"], m["filed_at"], m["status"],
        )  # fmt: skip

    def find_pickup(self, reference: str) -> Pickup | None:
        row = self._db.execute(select(t.pickups).where(t.pickups.c.reference == reference)).first()
        if row is None:
            return None
        m = row._mapping
        return Pickup(
            m["reference"], Party(m["contact_name"], PhoneNumber(m["contact_phone"])),
            address_from_json(m["address"]), Appointment(m["day"], TimeWindow.parse(m["window"])),
            m["weight_grams"], m["items"], Money(m["fee_minor"], m["currency"]), m["booked_at"],
            m["status"],
        )  # fmt: skip


def _claim(m: Any) -> Claim:
    amount = m["amount_claimed_minor"]
    return Claim(
        m["reference"], m["waybill"], m["kind"], PartyRole(m["claimant"]), m["description"],
        Money(amount, m["currency"]) if amount is not None else None,
        Money(m["cap_minor"], m["currency"]), m["filed_at"], m["status"],
    )  # fmt: skip
