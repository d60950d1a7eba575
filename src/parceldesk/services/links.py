"""Self-service links: a signed, expiring, single-shipment link sent to a party's phone.

Holding the link proves what a one-time code would: it went to the phone on the parcel. The
token names the waybill, the party's role, the expiry and a random nonce, and is signed with the
installation's secret key, so a changed character is refused before the database is asked.
Issuing it also records a verification grant for ``link:<nonce>`` that lasts as long as the link;
the mini app presents that grant to the same use cases every other channel uses. The first
change made through the link spends it (the grant is expired), so a link cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from parceldesk.domain.commands import CustomerGrant
from parceldesk.domain.errors import ParceldeskError
from parceldesk.domain.records import AuditRecord
from parceldesk.domain.shipments import PartyRole
from parceldesk.domain.waybills import check_waybill
from parceldesk.services.context import Context
from parceldesk.services.ports import Grant, OutgoingMessage
from parceldesk.services.verification import hash_secret

MAX_TOKEN_CHARS = 400
_SMS = {
    "CN": "【parceldesk】您的包裹 {waybill} 可在此自助修改（{hours} 小时内有效）：{url}",
    "ID": "[parceldesk] Atur paket {waybill} Anda di sini (berlaku {hours} jam): {url}",
}
_SMS_DEFAULT = "[parceldesk] Manage parcel {waybill} here (valid {hours} h): {url}"


class LinkInvalid(ParceldeskError):
    code = "link_invalid"


class LinkExpired(ParceldeskError):
    code = "link_expired"


class LinkUsed(ParceldeskError):
    code = "link_used"


@dataclass(frozen=True)
class IssueSelfServiceLink:
    waybill: str
    role: PartyRole
    channel: str
    send_sms: bool = True


@dataclass(frozen=True)
class SelfServiceLink:
    token: str
    waybill: str
    role: PartyRole
    expires_at: datetime

    @property
    def credential(self) -> CustomerGrant:
        return CustomerGrant(_grant_token(self.token))


def issue_link(ctx: Context, cmd: IssueSelfServiceLink, base_url: str) -> SelfServiceLink:
    """Sign a link for the party, record its grant, and (optionally) text it to their phone."""
    waybill = check_waybill(cmd.waybill, ctx.policy.carriers)
    now = ctx.clock.now()
    hours = ctx.policy.verification.link_ttl_hours
    expires = now + timedelta(hours=hours)
    payload = {"w": waybill, "r": cmd.role.value, "e": int(expires.timestamp()),
               "n": secrets.token_urlsafe(12)}  # fmt: skip
    token = _sign(ctx, payload)
    with ctx.uow() as uow:
        shipment = uow.shipments.get(waybill)
        party = shipment.sender if cmd.role is PartyRole.SENDER else shipment.recipient
        grant = Grant(hash_secret(ctx, _grant_token(token)), waybill, (cmd.role,), expires)
        uow.verification.add_grant(grant, cmd.channel)
        if cmd.send_sms:
            country = shipment.destination.country
            text = _SMS.get(country, _SMS_DEFAULT).format(
                waybill=waybill, hours=hours, url=f"{base_url.rstrip('/')}/m/{token}"
            )
            uow.outbox.add(OutgoingMessage(uuid.uuid4().hex, now, "sms", party.phone, text))
        uow.audit.add(_audit(now, "issue_link", waybill, cmd.role, cmd.channel))
        uow.commit()
    return SelfServiceLink(token, waybill, cmd.role, expires)


def open_link(ctx: Context, token: str) -> SelfServiceLink:
    """The link, if it is genuine, unexpired and unspent; else a clear reason why not."""
    link = _verify(ctx, token)
    expires = link.expires_at
    if expires <= ctx.clock.now():
        raise LinkExpired("this link has expired; ask us for a new one")
    with ctx.reader() as uow:
        grant = uow.verification.find_grant(hash_secret(ctx, _grant_token(token)))
    if grant is None:
        raise LinkInvalid("this link is not valid")
    if grant.expires_at < expires:
        raise LinkUsed("this link has already been used; ask us for a new one")
    return link


def spend_link(ctx: Context, link: SelfServiceLink, channel: str) -> None:
    """After the first change made through it, the link opens nothing more."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.verification.expire_grant(hash_secret(ctx, _grant_token(link.token)), now)
        uow.audit.add(_audit(now, "spend_link", link.waybill, link.role, channel))
        uow.commit()


def _grant_token(token: str) -> str:
    return "link:" + token.rsplit(".", 1)[0]


def _sign(ctx: Context, payload: dict[str, int | str]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(_mac(ctx, body))}"


def _verify(ctx: Context, token: str) -> SelfServiceLink:
    body, _, signature = token.partition(".")
    if not body or not signature or len(token) > MAX_TOKEN_CHARS:
        raise LinkInvalid("this link is not valid")
    if not hmac.compare_digest(signature.encode(), _b64(_mac(ctx, body)).encode()):
        raise LinkInvalid("this link is not valid (it may have been changed)")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        expires = datetime.fromtimestamp(int(payload["e"]), UTC)
        return SelfServiceLink(token, str(payload["w"]), PartyRole(payload["r"]), expires)
    except (ValueError, KeyError, TypeError, OverflowError):
        raise LinkInvalid("this link is not valid") from None


def _mac(ctx: Context, body: str) -> bytes:
    return hmac.new(ctx.secret_key, f"self-service-link:{body}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _audit(now: datetime, action: str, waybill: str, role: PartyRole, channel: str) -> AuditRecord:
    return AuditRecord(
        id=uuid.uuid4().hex, at=now, action=action, outcome="ok", actor="system",
        role=role.value, channel=channel, waybill=waybill, before=None, after=None, fee=None,
        idempotency_key=None, reference=None, details={},
    )  # fmt: skip
