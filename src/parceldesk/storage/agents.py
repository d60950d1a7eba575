"""Agents and their sign-in sessions in SQL (inside the unit of work's transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from parceldesk.domain.agents import Agent, AgentRole
from parceldesk.domain.routing import AgentStatus
from parceldesk.services.ports import AgentSession
from parceldesk.storage import tables as t


class SqlAgentStore:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, agent: Agent) -> None:
        row = {
            "id": agent.id, "username": agent.username, "display_name": agent.display_name,
            "role": agent.role.value, "languages": ",".join(sorted(agent.languages)),
            "skills": ",".join(sorted(agent.skills)), "capacity": agent.capacity,
            "password_hash": agent.password_hash, "created_at": agent.created_at,
            "failed_logins": agent.failed_logins, "locked_until": agent.locked_until,
            "status": agent.status.value, "status_since": agent.status_since,
        }  # fmt: skip
        self._db.execute(insert(t.agents), [row])

    def find_by_username(self, username: str) -> Agent | None:
        row = self._db.execute(select(t.agents).where(t.agents.c.username == username)).first()
        return _agent(row._mapping) if row else None

    def find(self, agent_id: str) -> Agent | None:
        row = self._db.execute(select(t.agents).where(t.agents.c.id == agent_id)).first()
        return _agent(row._mapping) if row else None

    def list(self) -> list[Agent]:
        query = select(t.agents).order_by(t.agents.c.username)
        return [_agent(row._mapping) for row in self._db.execute(query)]

    def set_status(self, agent_id: str, status: AgentStatus, since: datetime) -> None:
        c = t.agents.c
        self._db.execute(
            update(t.agents).where(c.id == agent_id).values(status=status.value, status_since=since)
        )

    def record_login_failure(self, agent_id: str, locked_until: datetime | None) -> None:
        c = t.agents.c
        values: dict[str, Any] = {"failed_logins": c.failed_logins + 1}
        if locked_until is not None:
            values = {"failed_logins": 0, "locked_until": locked_until}
        self._db.execute(update(t.agents).where(c.id == agent_id).values(**values))

    def record_login_success(self, agent_id: str) -> None:
        c = t.agents.c
        self._db.execute(
            update(t.agents).where(c.id == agent_id).values(failed_logins=0, locked_until=None)
        )

    def add_session(self, session: AgentSession) -> None:
        row = {"token_hash": session.token_hash, "agent_id": session.agent_id,
               "created_at": session.created_at, "expires_at": session.expires_at}  # fmt: skip
        self._db.execute(insert(t.agent_sessions), [row])

    def find_session(self, token_hash: str) -> AgentSession | None:
        c = t.agent_sessions.c
        row = self._db.execute(select(t.agent_sessions).where(c.token_hash == token_hash)).first()
        if row is None:
            return None
        m = row._mapping
        return AgentSession(m["token_hash"], m["agent_id"], m["created_at"], m["expires_at"])

    def end_session(self, token_hash: str, at: datetime) -> None:
        c = t.agent_sessions.c
        self._db.execute(delete(t.agent_sessions).where(c.token_hash == token_hash))


def _agent(m: Any) -> Agent:
    return Agent(
        id=m["id"], username=m["username"], display_name=m["display_name"],
        role=AgentRole(m["role"]), languages=frozenset(m["languages"].split(",")),
        skills=frozenset(m["skills"].split(",")), capacity=m["capacity"],
        password_hash=m["password_hash"], created_at=m["created_at"],
        failed_logins=m["failed_logins"], locked_until=m["locked_until"],
        status=AgentStatus(m["status"]), status_since=m["status_since"],
    )  # fmt: skip
