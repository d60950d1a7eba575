"""The shape of a carrier's policy; values come from a validated policy file (docs/policy.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from parceldesk.domain.money import Money
from parceldesk.domain.shipments import PartyRole, Status, TimeWindow
from parceldesk.domain.waybills import WaybillFormat

Scope = Literal["same_district", "same_city", "same_province", "same_country"]


@dataclass(frozen=True)
class LegFees:
    """Price of the remaining leg from a transfer point to an address, by how far it is."""

    same_city: Money
    same_province: Money
    other_province: Money
    per_kg_other_province: Money


@dataclass(frozen=True)
class CountryPolicy:
    code: str
    currency: str
    timezone: str
    leg_fees: LegFees
    handling_same_district: Money
    handling_same_city: Money
    handling_other_city: Money
    intercept_fee: Money
    reschedule_fee: Money
    claim_per_kg_limit: Money
    claim_undeclared_max: Money
    pickup_fee: Money


@dataclass(frozen=True)
class AddressChangeRules:
    roles: frozenset[PartyRole]
    recipient_scope: Scope
    sender_scope: Scope
    max_changes: int
    same_city_statuses: frozenset[Status]
    other_city_statuses: frozenset[Status]
    unserviceable_districts: frozenset[str]


@dataclass(frozen=True)
class RescheduleRules:
    roles: frozenset[PartyRole]
    statuses: frozenset[Status]
    windows: tuple[TimeWindow, ...]
    max_days_ahead: int
    same_day_lead_minutes: int
    free_reschedules: int


@dataclass(frozen=True)
class HoldRules:
    roles: frozenset[PartyRole]
    statuses: frozenset[Status]
    max_days: int


@dataclass(frozen=True)
class InterceptRules:
    roles: frozenset[PartyRole]
    statuses: frozenset[Status]


@dataclass(frozen=True)
class ClaimRules:
    damage_roles: frozenset[PartyRole]
    loss_roles: frozenset[PartyRole]
    damage_days_after_delivery: int
    loss_overdue_days: int
    loss_days_after_expected: int


@dataclass(frozen=True)
class PickupRules:
    windows: tuple[TimeWindow, ...]
    max_days_ahead: int
    same_day_lead_minutes: int
    max_weight_kg: int
    restricted_items: tuple[str, ...]


@dataclass(frozen=True)
class ComplaintRules:
    categories: tuple[str, ...]
    max_severity: int
    handoff_severity: int


@dataclass(frozen=True)
class VerificationRules:
    max_failures: int
    failure_window_minutes: int
    lock_minutes: int
    code_digits: int
    code_ttl_minutes: int
    grant_ttl_minutes: int
    link_ttl_hours: int


@dataclass(frozen=True)
class Policy:
    carriers: tuple[WaybillFormat, ...]
    countries: dict[str, CountryPolicy]
    default_country: str
    address_change: AddressChangeRules
    reschedule: RescheduleRules
    hold: HoldRules
    intercept: InterceptRules
    claims: ClaimRules
    pickup: PickupRules
    complaints: ComplaintRules
    verification: VerificationRules

    @property
    def served_countries(self) -> frozenset[str]:
        return frozenset(self.countries)

    def country(self, code: str) -> CountryPolicy:
        return self.countries.get(code) or self.countries[self.default_country]
