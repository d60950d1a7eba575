"""Human agents: who they are, what they may see (queues by language and skill), how many chats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parceldesk.domain.errors import InvalidInput
from parceldesk.domain.languages import LANGUAGES as SPOKEN
from parceldesk.domain.routing import AgentStatus

LANGUAGES = frozenset(SPOKEN)
SKILLS = frozenset({"general", "complaints", "claims", "vip"})
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
MIN_PASSWORD_CHARS = 10


class AgentRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Agent:
    id: str
    username: str
    display_name: str
    role: AgentRole
    languages: frozenset[str]
    skills: frozenset[str]
    capacity: int
    password_hash: str
    created_at: datetime
    failed_logins: int = 0
    locked_until: datetime | None = None
    status: AgentStatus = AgentStatus.AWAY
    status_since: datetime | None = None

    @property
    def sees_every_queue(self) -> bool:
        return self.role in (AgentRole.SUPERVISOR, AgentRole.ADMIN)

    def may_handle(self, language: str, skill: str = "general") -> bool:
        """Whether this agent's queues include a conversation in ``language`` needing ``skill``."""
        return self.sees_every_queue or (language in self.languages and skill in self.skills)


def check_new_agent(
    username: str, display_name: str, languages: frozenset[str], skills: frozenset[str],
    capacity: int,
) -> None:  # fmt: skip
    if not _USERNAME.match(username):
        raise InvalidInput("a username is 3-32 lower-case letters, digits, '.', '_' or '-'")
    if not display_name.strip() or len(display_name) > 80:
        raise InvalidInput("a display name is 1-80 characters")
    if not languages or not languages <= LANGUAGES:
        raise InvalidInput(f"languages must be some of {', '.join(sorted(LANGUAGES))}")
    if not skills or not skills <= SKILLS:
        raise InvalidInput(f"skills must be some of {', '.join(sorted(SKILLS))}")
    if not 1 <= capacity <= 20:
        raise InvalidInput("capacity (concurrent chats) must be 1-20")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS or len(password) > 200:
        raise InvalidInput(f"a password is {MIN_PASSWORD_CHARS}-200 characters")
    if password.lower() == password and password.isalpha():
        raise InvalidInput("a password needs more than lower-case letters")
