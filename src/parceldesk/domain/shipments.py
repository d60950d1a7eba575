"""The shipment: parties, addresses, lifecycle, scans and delivery arrangements."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum

from parceldesk.domain.addresses import Address
from parceldesk.domain.errors import InvalidTimeWindow, InvalidTransition
from parceldesk.domain.money import Money
from parceldesk.domain.phones import PhoneNumber
from parceldesk.domain.waybills import Waybill


class Status(StrEnum):
    CREATED = "created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    AT_STATION = "at_station"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED_ATTEMPT = "failed_attempt"
    HELD = "held"
    RETURNING = "returning"
    RETURNED = "returned"
    LOST = "lost"
    DAMAGED = "damaged"


S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.CREATED: frozenset({S.PICKED_UP, S.RETURNING, S.LOST}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.RETURNING, S.LOST, S.DAMAGED}),
    S.IN_TRANSIT: frozenset({S.IN_TRANSIT, S.AT_STATION, S.RETURNING, S.LOST, S.DAMAGED}),
    S.AT_STATION: frozenset({S.OUT_FOR_DELIVERY, S.HELD, S.RETURNING, S.LOST, S.DAMAGED}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.FAILED_ATTEMPT, S.RETURNING, S.LOST, S.DAMAGED}),
    S.FAILED_ATTEMPT: frozenset({S.OUT_FOR_DELIVERY, S.AT_STATION, S.HELD, S.RETURNING}),
    S.HELD: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNING}),
    S.RETURNING: frozenset({S.RETURNING, S.RETURNED, S.LOST, S.DAMAGED}),
    S.DAMAGED: frozenset({S.RETURNING, S.OUT_FOR_DELIVERY, S.DELIVERED}),
    S.LOST: frozenset({S.IN_TRANSIT, S.RETURNING}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
}
FINAL_STATUSES = frozenset({S.DELIVERED, S.RETURNED})


class PartyRole(StrEnum):
    SENDER = "sender"
    RECIPIENT = "recipient"


@dataclass(frozen=True)
class Party:
    name: str
    phone: PhoneNumber


@dataclass(frozen=True, order=True)
class TimeWindow:
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise InvalidTimeWindow(f"a delivery window must end after it starts: {self}")

    @classmethod
    def parse(cls, text: str) -> TimeWindow:
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*", text)
        if not match:
            raise InvalidTimeWindow(f"a delivery window looks like 14:00-18:00, not {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise InvalidTimeWindow(f"{text!r} is not a time of day")
        end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
        return cls(time(h1, m1), end)

    def __str__(self) -> str:
        end = "24:00" if self.end == time(23, 59, 59) else self.end.strftime("%H:%M")
        return f"{self.start:%H:%M}-{end}"


@dataclass(frozen=True)
class Appointment:
    day: date
    window: TimeWindow

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.window}"


@dataclass(frozen=True)
class ScanEvent:
    at: datetime
    province: str
    city: str
    status: Status
    event: str


@dataclass(frozen=True)
class Shipment:
    waybill: Waybill
    carrier: str
    service_level: str
    sender: Party
    recipient: Party
    origin: Address
    destination: Address
    weight_grams: int
    fee: Money
    created_at: datetime
    expected_delivery: date
    declared_value: Money | None = None
    status: Status = Status.CREATED
    scans: tuple[ScanEvent, ...] = field(default=())
    appointment: Appointment | None = None
    hold_until: date | None = None
    address_changes: int = 0
    reschedules: int = 0
    delivered_at: datetime | None = None
    version: int = 1

    @property
    def transfer_point(self) -> tuple[str, str]:
        """(province, city) of the latest scan: where the parcel is now, or last left from."""
        if self.scans:
            return self.scans[-1].province, self.scans[-1].city
        return self.origin.province, self.origin.city

    def party(self, role: PartyRole) -> Party:
        return self.sender if role is PartyRole.SENDER else self.recipient

    def roles_of_phone(self, phone: PhoneNumber) -> tuple[PartyRole, ...]:
        return tuple(role for role in PartyRole if self.party(role).phone == phone)

    def with_scan(self, scan: ScanEvent) -> Shipment:
        if scan.status not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"{self.waybill}: cannot go from {self.status} to {scan.status}"
            )
        delivered_at = scan.at if scan.status is Status.DELIVERED else self.delivered_at
        return replace(
            self, status=scan.status, scans=(*self.scans, scan), delivered_at=delivered_at
        )

    def redirected_to(self, destination: Address) -> Shipment:
        return replace(self, destination=destination, address_changes=self.address_changes + 1)

    def rescheduled_to(self, appointment: Appointment) -> Shipment:
        return replace(self, appointment=appointment, reschedules=self.reschedules + 1)

    def held_at_station(self, until: date, scan: ScanEvent | None) -> Shipment:
        held = replace(self, hold_until=until, appointment=None)
        return held.with_scan(scan) if scan else held

    def returned_to_sender(self, scan: ScanEvent) -> Shipment:
        return self.with_scan(scan)

    @property
    def returning_to_sender(self) -> bool:
        return self.status in {Status.RETURNING, Status.RETURNED}
