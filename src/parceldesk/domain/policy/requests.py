"""Policy decisions for claims, pickup bookings and complaints."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from parceldesk.domain.money import Money
from parceldesk.domain.policy.config import Policy
from parceldesk.domain.policy.decisions import Decision, allow, local_today, refuse
from parceldesk.domain.shipments import PartyRole, Shipment, Status, TimeWindow

ClaimKind = Literal["damage", "loss"]
_NOT_LOST = frozenset({Status.DELIVERED, Status.RETURNED})


def compensation_cap(policy: Policy, shipment: Shipment) -> Money:
    """Declared value if declared, else a per-kilo limit capped for undeclared parcels."""
    if shipment.declared_value is not None:
        return shipment.declared_value
    country = policy.country(shipment.origin.country)
    per_kg = country.claim_per_kg_limit.times(max(1, math.ceil(shipment.weight_grams / 1000)))
    return min(per_kg, country.claim_undeclared_max)


def decide_claim(
    policy: Policy, shipment: Shipment, role: PartyRole, kind: ClaimKind, now: datetime
) -> Decision:
    action, rules = "file_claim", policy.claims
    roles = rules.damage_roles if kind == "damage" else rules.loss_roles
    if role not in roles:
        return refuse(action, "role_not_allowed", f"the {role} cannot file a {kind} claim")
    deadline = _claim_deadline(policy, shipment, kind, now)
    if isinstance(deadline, Decision):
        return deadline
    if now > deadline:
        return refuse(
            action,
            "claim_too_late",
            f"{kind} claims had to be filed by {deadline.date()}",
            deadline=deadline.date().isoformat(),
        )
    return allow(
        action,
        f"a {kind} claim may be filed",
        deadline=deadline,
        compensation_cap=compensation_cap(policy, shipment),
    )


def _claim_deadline(
    policy: Policy, shipment: Shipment, kind: ClaimKind, now: datetime
) -> datetime | Decision:
    rules, action = policy.claims, "file_claim"
    zone = ZoneInfo(policy.country(shipment.destination.country).timezone)
    if kind == "damage":
        if shipment.status is Status.DAMAGED:
            return now + timedelta(days=rules.damage_days_after_delivery)
        if shipment.status is not Status.DELIVERED or shipment.delivered_at is None:
            return refuse(
                action, "not_delivered", "a damage claim is for a delivered or damaged parcel"
            )
        return shipment.delivered_at + timedelta(days=rules.damage_days_after_delivery)
    expected_end = datetime.combine(shipment.expected_delivery, time(23, 59), zone)
    if shipment.status in _NOT_LOST:
        return refuse(action, "not_lost", f"the parcel was {shipment.status}, it is not lost")
    overdue = expected_end + timedelta(days=rules.loss_overdue_days)
    if shipment.status is not Status.LOST and now < overdue:
        return refuse(
            action,
            "not_overdue_yet",
            f"a parcel counts as lost from {overdue.date()} if it has not arrived",
            from_day=overdue.date().isoformat(),
        )
    return expected_end + timedelta(days=rules.loss_days_after_expected)


def find_restricted_item(policy: Policy, items: str) -> str | None:
    text = items.casefold()
    return next((r for r in policy.pickup.restricted_items if r.casefold() in text), None)


def decide_pickup(
    policy: Policy,
    *,
    country: str,
    day: date,
    window: TimeWindow,
    weight_grams: int,
    items: str,
    now: datetime,
) -> Decision:
    action, rules = "book_pickup", policy.pickup
    if country not in policy.served_countries:
        return refuse(action, "not_serviceable", f"we do not pick up in {country}")
    restricted = find_restricted_item(policy, items)
    if restricted:
        return refuse(action, "restricted_item", f"we cannot carry {restricted}", item=restricted)
    if weight_grams <= 0 or weight_grams > rules.max_weight_kg * 1000:
        return refuse(
            action,
            "too_heavy",
            f"a pickup parcel must weigh up to {rules.max_weight_kg} kg",
            max_kg=rules.max_weight_kg,
        )
    if window not in rules.windows:
        offered = ", ".join(str(w) for w in rules.windows)
        return refuse(
            action, "window_not_offered", f"pickups are offered {offered}", windows=offered
        )
    country_policy = policy.country(country)
    today = local_today(country_policy, now)
    if not today <= day <= today + timedelta(days=rules.max_days_ahead):
        return refuse(
            action,
            "day_not_offered",
            f"pickups can be booked {rules.max_days_ahead} days ahead",
            days=rules.max_days_ahead,
        )
    start = datetime.combine(day, window.start, ZoneInfo(country_policy.timezone))
    if start - now < timedelta(minutes=rules.same_day_lead_minutes):
        return refuse(action, "too_late_today", "that window is too soon to arrange")
    return allow(action, "the pickup may be booked", fee=country_policy.pickup_fee)


def decide_complaint(policy: Policy, category: str, severity: int) -> Decision:
    rules, action = policy.complaints, "file_complaint"
    if category not in rules.categories:
        return refuse(
            action, "unknown_category", f"complaint categories are {', '.join(rules.categories)}"
        )
    if not 1 <= severity <= rules.max_severity:
        return refuse(action, "bad_severity", f"severity runs from 1 to {rules.max_severity}")
    return allow(action, "the complaint may be filed")
