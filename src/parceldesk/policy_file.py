"""Reading and validating a policy file (YAML) into the domain's ``Policy``.

A bad policy file fails at start-up with one clear line naming the key that is wrong.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from parceldesk.domain.errors import InvalidInput, InvalidPolicy
from parceldesk.domain.money import Money
from parceldesk.domain.policy import config as c
from parceldesk.domain.shipments import PartyRole, Status, TimeWindow
from parceldesk.domain.waybills import WaybillFormat

Amount = Annotated[str, Field(pattern=r"^\d+(\.\d+)?$")]
Positive = Annotated[int, Field(ge=1)]
NonNegative = Annotated[int, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CarrierModel(_Model):
    carrier: str = Field(alias="code")
    name: str
    prefix: str
    serial_digits: Annotated[int, Field(ge=4, le=14)]
    check_digit: Literal["none", "luhn", "mod7", "s10"] = "none"
    suffix: str = ""


class LegFeesModel(_Model):
    same_city: Amount
    same_province: Amount
    other_province: Amount
    per_kg_other_province: Amount


class HandlingModel(_Model):
    same_district: Amount
    same_city: Amount
    other_city: Amount


class CountryModel(_Model):
    currency: Literal["CNY", "IDR", "SGD", "USD"]
    timezone: str
    leg_fees: LegFeesModel
    handling: HandlingModel
    intercept_fee: Amount
    reschedule_fee: Amount
    claim_per_kg_limit: Amount
    claim_undeclared_max: Amount
    pickup_fee: Amount

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


Scope = Literal["same_district", "same_city", "same_province", "same_country"]


class AddressChangeModel(_Model):
    roles: list[PartyRole]
    recipient_scope: Scope = "same_city"
    sender_scope: Scope = "same_country"
    max_changes: Positive = 3
    same_city_statuses: list[Status]
    other_city_statuses: list[Status]
    unserviceable_districts: list[str] = []


class RescheduleModel(_Model):
    roles: list[PartyRole]
    statuses: list[Status]
    windows: list[str]
    max_days_ahead: Positive = 7
    same_day_lead_minutes: NonNegative = 120
    free_reschedules: NonNegative = 2


class HoldModel(_Model):
    roles: list[PartyRole]
    statuses: list[Status]
    max_days: Positive = 7


class InterceptModel(_Model):
    roles: list[PartyRole]
    statuses: list[Status]


class ClaimsModel(_Model):
    damage_roles: list[PartyRole]
    loss_roles: list[PartyRole]
    damage_days_after_delivery: Positive = 15
    loss_overdue_days: NonNegative = 3
    loss_days_after_expected: Positive = 30


class PickupModel(_Model):
    windows: list[str]
    max_days_ahead: Positive = 7
    same_day_lead_minutes: NonNegative = 90
    max_weight_kg: Positive = 50
    restricted_items: list[str] = []


class ComplaintsModel(_Model):
    categories: list[str]
    max_severity: Positive = 5
    handoff_severity: Positive = 4


class VerificationModel(_Model):
    max_failures: Positive = 3
    failure_window_minutes: Positive = 30
    lock_minutes: Positive = 30
    code_digits: Annotated[int, Field(ge=4, le=10)] = 6
    code_ttl_minutes: Positive = 5
    grant_ttl_minutes: Positive = 30
    link_ttl_hours: Annotated[int, Field(ge=1, le=168)] = 24


class PolicyModel(_Model):
    default_country: str
    carriers: Annotated[list[CarrierModel], Field(min_length=1)]
    countries: Annotated[dict[str, CountryModel], Field(min_length=1)]
    address_change: AddressChangeModel
    reschedule: RescheduleModel
    hold: HoldModel
    intercept: InterceptModel
    claims: ClaimsModel
    pickup: PickupModel
    complaints: ComplaintsModel
    verification: VerificationModel = VerificationModel()


def default_policy_text() -> str:
    return resources.files("parceldesk").joinpath("data/default-policy.yaml").read_text("utf-8")


def load_policy(path: Path | None = None) -> c.Policy:
    """Read ``path`` (or the packaged default) and return the validated policy."""
    name = str(path) if path else "the default policy"
    try:
        text = path.read_text("utf-8") if path else default_policy_text()
    except OSError as error:
        raise InvalidPolicy(f"cannot read policy file {name}: {error.strerror}") from None
    return parse_policy(text, name)


def parse_policy(text: str, name: str = "policy") -> c.Policy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidPolicy(f"{name} is not valid YAML: {error}") from None
    try:
        model = PolicyModel.model_validate(data)
        return _build(model)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {error.error_count() - 1} more problems)" if error.error_count() > 1 else ""
        raise InvalidPolicy(f"{name}: {where}: {first['msg']}{more}") from None
    except (InvalidInput, InvalidPolicy) as error:
        raise InvalidPolicy(f"{name}: {error.message}") from None


def _windows(texts: list[str]) -> tuple[TimeWindow, ...]:
    if not texts:
        raise InvalidPolicy("at least one time window is needed")
    return tuple(TimeWindow.parse(t) for t in texts)


def _country(code: str, m: CountryModel) -> c.CountryPolicy:
    def money(amount: str) -> Money:
        return Money.parse(amount, m.currency)

    return c.CountryPolicy(
        code=code,
        currency=m.currency,
        timezone=m.timezone,
        leg_fees=c.LegFees(*(money(a) for a in m.leg_fees.model_dump().values())),
        handling_same_district=money(m.handling.same_district),
        handling_same_city=money(m.handling.same_city),
        handling_other_city=money(m.handling.other_city),
        intercept_fee=money(m.intercept_fee),
        reschedule_fee=money(m.reschedule_fee),
        claim_per_kg_limit=money(m.claim_per_kg_limit),
        claim_undeclared_max=money(m.claim_undeclared_max),
        pickup_fee=money(m.pickup_fee),
    )


def _build(m: PolicyModel) -> c.Policy:
    if m.default_country not in m.countries:
        raise InvalidPolicy(f"default_country {m.default_country} is not among the countries")
    carriers = tuple(WaybillFormat(**carrier.model_dump(by_alias=False)) for carrier in m.carriers)
    prefixes = [f.prefix for f in carriers]
    if len(set(prefixes)) != len(prefixes):
        raise InvalidPolicy("two carriers share a waybill prefix")
    if m.complaints.handoff_severity > m.complaints.max_severity:
        raise InvalidPolicy("complaints.handoff_severity is above complaints.max_severity")
    return c.Policy(
        carriers=carriers,
        countries={code: _country(code, country) for code, country in m.countries.items()},
        default_country=m.default_country,
        address_change=_address_change(m.address_change),
        reschedule=c.RescheduleRules(
            frozenset(m.reschedule.roles),
            frozenset(m.reschedule.statuses),
            _windows(m.reschedule.windows),
            m.reschedule.max_days_ahead,
            m.reschedule.same_day_lead_minutes,
            m.reschedule.free_reschedules,
        ),
        hold=c.HoldRules(frozenset(m.hold.roles), frozenset(m.hold.statuses), m.hold.max_days),
        intercept=c.InterceptRules(frozenset(m.intercept.roles), frozenset(m.intercept.statuses)),
        claims=c.ClaimRules(
            frozenset(m.claims.damage_roles),
            frozenset(m.claims.loss_roles),
            m.claims.damage_days_after_delivery,
            m.claims.loss_overdue_days,
            m.claims.loss_days_after_expected,
        ),
        pickup=c.PickupRules(
            _windows(m.pickup.windows),
            m.pickup.max_days_ahead,
            m.pickup.same_day_lead_minutes,
            m.pickup.max_weight_kg,
            tuple(m.pickup.restricted_items),
        ),
        complaints=c.ComplaintRules(
            tuple(m.complaints.categories), m.complaints.max_severity, m.complaints.handoff_severity
        ),
        verification=c.VerificationRules(**m.verification.model_dump()),
    )


def _address_change(m: AddressChangeModel) -> c.AddressChangeRules:
    if not set(m.other_city_statuses) <= set(m.same_city_statuses):
        raise InvalidPolicy(
            "address_change.other_city_statuses must be a subset of same_city_statuses"
        )
    return c.AddressChangeRules(
        roles=frozenset(m.roles),
        recipient_scope=m.recipient_scope,
        sender_scope=m.sender_scope,
        max_changes=m.max_changes,
        same_city_statuses=frozenset(m.same_city_statuses),
        other_city_statuses=frozenset(m.other_city_statuses),
        unserviceable_districts=frozenset(m.unserviceable_districts),
    )


def policy_as_data(text: str) -> dict[str, Any]:
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded
