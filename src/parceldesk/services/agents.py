"""Agent accounts: created by an admin, signed in with a password (argon2id), locked after
repeated failures, kept signed in by a session token stored only as an HMAC."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from parceldesk.domain.agents import Agent, AgentRole, check_new_agent, check_password
from parceldesk.domain.errors import InvalidInput, ParceldeskError
from parceldesk.domain.records import AuditRecord
from parceldesk.domain.routing import AgentStatus, check_agent_status
from parceldesk.services.context import Context
from parceldesk.services.ports import AgentSession, UnitOfWork
from parceldesk.services.verification import hash_secret

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
SESSION_HOURS = 10  # one shift


class SignInFailed(ParceldeskError):
    code = "sign_in_failed"


class AccountLocked(ParceldeskError):
    code = "account_locked"


class NotSignedIn(ParceldeskError):
    code = "not_signed_in"


@dataclass(frozen=True)
class AddAgent:
    username: str
    display_name: str
    role: AgentRole
    languages: frozenset[str]
    skills: frozenset[str]
    capacity: int
    password: str


@dataclass(frozen=True)
class SignedIn:
    agent: Agent
    token: str
    expires_at: datetime


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _decoy_hash() -> str:
    """Checked against when the username is unknown, so both answers take as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def add_agent(ctx: Context, cmd: AddAgent) -> Agent:
    check_new_agent(cmd.username, cmd.display_name, cmd.languages, cmd.skills, cmd.capacity)
    check_password(cmd.password)
    now = ctx.clock.now()
    agent = Agent(
        uuid.uuid4().hex, cmd.username, cmd.display_name.strip(), cmd.role, cmd.languages,
        cmd.skills, cmd.capacity, _hasher().hash(cmd.password), now,
    )  # fmt: skip
    with ctx.uow() as uow:
        if uow.agents.find_by_username(cmd.username) is not None:
            raise InvalidInput(f"there is already an agent {cmd.username!r}")
        uow.agents.add(agent)
        _audit(uow, now, "add_agent", agent, "ok", role=cmd.role.value)
        uow.commit()
    return agent


def sign_in(ctx: Context, username: str, password: str) -> SignedIn:
    """A session for the agent, or ``SignInFailed`` (same answer for a wrong name or password)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        agent = uow.agents.find_by_username(username.strip().lower()[:64])
        if agent is None:
            _verify(_decoy_hash(), password)
            raise SignInFailed("wrong username or password")
        if agent.locked_until is not None and agent.locked_until > now:
            raise AccountLocked(
                f"too many failed sign-ins; try again after {agent.locked_until:%H:%M} UTC"
            )
        if not _verify(agent.password_hash, password):
            failures = agent.failed_logins + 1
            until = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILED_LOGINS else None
            uow.agents.record_login_failure(agent.id, until)
            _audit(uow, now, "sign_in", agent, "locked" if until else "failed")
            uow.commit()
            raise SignInFailed("wrong username or password")
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=SESSION_HOURS)
        uow.agents.record_login_success(agent.id)
        uow.agents.add_session(AgentSession(hash_secret(ctx, token), agent.id, now, expires))
        _audit(uow, now, "sign_in", agent, "ok")
        uow.commit()
    return SignedIn(agent, token, expires)


def get_signed_in_agent(ctx: Context, token: str | None) -> Agent:
    if not token or len(token) > 100:
        raise NotSignedIn("please sign in")
    with ctx.reader() as uow:
        session = uow.agents.find_session(hash_secret(ctx, token))
        agent = uow.agents.find(session.agent_id) if session else None
    if session is None or agent is None or session.expires_at <= ctx.clock.now():
        raise NotSignedIn("your session has ended; please sign in again")
    return agent


def sign_out(ctx: Context, token: str) -> None:
    """End the session; the agent is away from then on (no new chats are routed to them)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.agents.find_session(hash_secret(ctx, token))
        if session is None:
            return
        uow.agents.end_session(session.token_hash, now)
        agent = uow.agents.find(session.agent_id)
        if agent is not None:
            uow.agents.set_status(agent.id, AgentStatus.AWAY, now)
            _audit(uow, now, "sign_out", agent, "ok")
        uow.commit()


def set_agent_status(ctx: Context, agent: Agent, status: str) -> AgentStatus:
    """The agent says they are available for new chats, or away."""
    chosen = check_agent_status(status)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.agents.set_status(agent.id, chosen, now)
        _audit(uow, now, "set_status", agent, chosen.value)
        uow.commit()
    return chosen


def list_agents(ctx: Context) -> list[Agent]:
    with ctx.reader() as uow:
        return uow.agents.list()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _audit(
    uow: UnitOfWork, now: datetime, action: str, agent: Agent, outcome: str, role: str = ""
) -> None:
    uow.audit.add(
        AuditRecord(
            id=uuid.uuid4().hex, at=now, action=action, outcome=outcome,
            actor=f"agent:{agent.id}", role=role or agent.role.value, channel="agent",
            waybill=None, details={"username": agent.username},
        )
    )  # fmt: skip
