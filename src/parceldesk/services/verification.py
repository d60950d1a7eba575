"""Verifying a caller: waybill + last four phone digits, or a one-time code sent by SMS.

Failed checks are counted per shipment; too many within the window lock the shipment for a while.
A successful check returns a short-lived grant token that writes present as a credential.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from parceldesk.domain.commands import (
    AgentAuthority,
    Credential,
    CustomerGrant,
    RequestOneTimeCode,
    VerifyParty,
)
from parceldesk.domain.errors import InvalidInput, NotVerified, ShipmentLocked, VerificationFailed
from parceldesk.domain.phones import last_digits
from parceldesk.domain.records import AuditRecord
from parceldesk.domain.shipments import PartyRole, Shipment
from parceldesk.domain.waybills import check_waybill
from parceldesk.services.context import Context
from parceldesk.services.ports import Grant, OneTimeCode, OutgoingMessage, UnitOfWork
from parceldesk.services.writes import Actor

_CODE_TEXT = {
    "CN": "【parceldesk】您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。",
    "ID": "[parceldesk] Kode verifikasi Anda {code}, berlaku {minutes} menit. Jangan bagikan.",
}
_CODE_TEXT_DEFAULT = (
    "[parceldesk] Your code is {code}, valid for {minutes} minutes. Do not share it."
)


@dataclass(frozen=True)
class Verification:
    token: str
    waybill: str
    roles: tuple[PartyRole, ...]
    expires_at: datetime


def hash_secret(ctx: Context, value: str) -> str:
    return hmac.new(ctx.secret_key, value.encode(), hashlib.sha256).hexdigest()


def _audit(
    uow: UnitOfWork, now: datetime, action: str, outcome: str, waybill: str, **kw: str
) -> None:
    uow.audit.add(
        AuditRecord(
            id=uuid.uuid4().hex,
            at=now,
            action=action,
            outcome=outcome,
            actor="customer",
            role=kw.get("role"),
            channel=kw["channel"],
            waybill=waybill,
            details={k: v for k, v in kw.items() if k not in {"role", "channel"}},
        )
    )


def check_not_locked(uow: UnitOfWork, waybill: str, now: datetime) -> None:
    until = uow.verification.find_lock(waybill)
    if until is not None and until > now:
        raise ShipmentLocked(_locked_message(until))


def _locked_message(until: datetime) -> str:
    return (
        "too many failed checks: self-service for this parcel is locked until "
        f"{until:%Y-%m-%d %H:%M} UTC; a human agent can help"
    )


def request_one_time_code(ctx: Context, cmd: RequestOneTimeCode) -> datetime:
    """Send a code to the phone of ``cmd.role`` on the shipment; return when it expires."""
    waybill = check_waybill(cmd.waybill, ctx.policy.carriers)
    rules, now = ctx.policy.verification, ctx.clock.now()
    code = "".join(secrets.choice("0123456789") for _ in range(rules.code_digits))
    expires = now + timedelta(minutes=rules.code_ttl_minutes)
    with ctx.uow() as uow:
        shipment = uow.shipments.get(waybill)
        check_not_locked(uow, waybill, now)
        record = OneTimeCode(uuid.uuid4().hex, waybill, cmd.role, hash_secret(ctx, code), expires)
        uow.verification.add_code(record, cmd.channel)
        phone = shipment.party(cmd.role).phone
        text = _CODE_TEXT.get(shipment.destination.country, _CODE_TEXT_DEFAULT)
        body = text.format(code=code, minutes=rules.code_ttl_minutes)
        uow.outbox.add(OutgoingMessage(uuid.uuid4().hex, now, "sms", phone, body))
        _audit(
            uow, now, "request_one_time_code", "sent", waybill, role=cmd.role, channel=cmd.channel
        )
        uow.commit()
    return expires


def _matching_roles(
    ctx: Context, uow: UnitOfWork, shipment: Shipment, cmd: VerifyParty
) -> tuple[tuple[PartyRole, ...], str]:
    wanted = [cmd.role] if cmd.role else list(PartyRole)
    if cmd.phone_last4 is not None:
        digits = unicodedata.normalize("NFKC", cmd.phone_last4).strip()  # full-width digits too
        if not re.fullmatch(r"[0-9]{4}", digits):
            raise InvalidInput("please give exactly the last four digits of the phone number")
        matched = [r for r in wanted if last_digits(shipment.party(r).phone) == digits]
        return tuple(matched), "phone_last4"
    if cmd.phone is not None:
        matched = [r for r in wanted if shipment.party(r).phone == cmd.phone.strip()]
        return tuple(matched), "phone"
    if cmd.one_time_code is not None:
        code_hash = hash_secret(ctx, cmd.one_time_code.strip())
        for code in uow.verification.find_codes(shipment.waybill, ctx.clock.now()):
            if code.role in wanted and hmac.compare_digest(code.code_hash, code_hash):
                uow.verification.use_code(code.id)
                return (code.role,), "one_time_code"
        return (), "one_time_code"
    raise InvalidInput(
        "verification needs the phone number, its last four digits or a one-time code"
    )


def verify_party(ctx: Context, cmd: VerifyParty) -> Verification:
    """Check the caller; on success return a grant, on failure count it and maybe lock."""
    waybill = check_waybill(cmd.waybill, ctx.policy.carriers)
    rules, now = ctx.policy.verification, ctx.clock.now()
    with ctx.uow() as uow:
        shipment = uow.shipments.get(waybill)
        check_not_locked(uow, waybill, now)
        roles, method = _matching_roles(ctx, uow, shipment, cmd)
        uow.verification.add_attempt(waybill, now, method, success=bool(roles))
        if roles:
            return _grant(ctx, uow, waybill, roles, now, cmd.channel)
        since = now - timedelta(minutes=rules.failure_window_minutes)
        failures = uow.verification.count_failures_since(waybill, since)
        left = max(0, rules.max_failures - failures)
        outcome = "failed"
        if left == 0:
            uow.verification.set_lock(waybill, now + timedelta(minutes=rules.lock_minutes))
            outcome = "locked"
        _audit(uow, now, "verify_party", outcome, waybill, channel=cmd.channel, method=method)
        uow.commit()
    if left == 0:
        raise ShipmentLocked(_locked_message(now + timedelta(minutes=rules.lock_minutes)))
    raise VerificationFailed("those details do not match this parcel", attempts_left=left)


def _grant(
    ctx: Context,
    uow: UnitOfWork,
    waybill: str,
    roles: tuple[PartyRole, ...],
    now: datetime,
    channel: str,
) -> Verification:
    token = secrets.token_urlsafe(24)
    expires = now + timedelta(minutes=ctx.policy.verification.grant_ttl_minutes)
    uow.verification.add_grant(Grant(hash_secret(ctx, token), waybill, roles, expires), channel)
    role_names = ",".join(str(r) for r in roles)
    _audit(uow, now, "verify_party", "verified", waybill, channel=channel, role=role_names)
    uow.commit()
    return Verification(token, waybill, roles, expires)


def authorise(ctx: Context, uow: UnitOfWork, credential: Credential, waybill: str) -> Actor:
    """Who is acting, and as which party; raise ``NotVerified`` if the credential does not hold."""
    if isinstance(credential, AgentAuthority):
        return Actor(f"agent:{credential.agent_id}", str(credential.on_behalf_of))
    if not isinstance(credential, CustomerGrant) or not credential.token:
        raise NotVerified("please verify first")
    grant = uow.verification.find_grant(hash_secret(ctx, credential.token))
    if grant is None or grant.waybill != waybill or grant.expires_at <= ctx.clock.now():
        raise NotVerified("please verify that this is your parcel first")
    return Actor("customer", str(acting_role(grant.roles)))


def acting_role(roles: tuple[PartyRole, ...]) -> PartyRole:
    """The role a verified caller acts in: the sender's, if the phone is on both sides."""
    return PartyRole.SENDER if PartyRole.SENDER in roles else roles[0]


def authorise_party(
    ctx: Context, uow: UnitOfWork, credential: Credential, waybill: str
) -> tuple[Actor, PartyRole]:
    """Like ``authorise``, with the party role the actor acts as."""
    actor = authorise(ctx, uow, credential, waybill)
    return actor, PartyRole(actor.role or "")
