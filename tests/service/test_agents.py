"""Agent accounts: argon2 passwords, lockout after repeated failures, sessions that end."""

from __future__ import annotations

import pytest

from parceldesk.domain.agents import AgentRole
from parceldesk.domain.errors import InvalidInput
from parceldesk.services.agents import (
    MAX_FAILED_LOGINS,
    AccountLocked,
    AddAgent,
    NotSignedIn,
    SignInFailed,
    add_agent,
    get_signed_in_agent,
    sign_in,
    sign_out,
)
from parceldesk.services.context import Context, FixedClock

PASSWORD = "correct horse 42"


def agent(ctx: Context, username: str = "li.na", languages: str = "zh") -> None:
    add_agent(ctx, AddAgent(username, "李娜", AgentRole.AGENT, frozenset(languages.split(",")),
                            frozenset({"general"}), 3, PASSWORD))  # fmt: skip


def test_an_agent_signs_in_and_out_and_the_password_is_never_stored(ctx: Context) -> None:
    agent(ctx)
    with ctx.uow() as uow:
        stored = uow.agents.find_by_username("li.na")
    assert stored is not None
    assert PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith("$argon2id$")
    session = sign_in(ctx, "li.na", PASSWORD)
    assert get_signed_in_agent(ctx, session.token).username == "li.na"
    sign_out(ctx, session.token)
    with pytest.raises(NotSignedIn):
        get_signed_in_agent(ctx, session.token)
    with ctx.uow() as uow:
        assert uow.audit.count() == 3  # added, signed in, signed out


def test_wrong_name_and_wrong_password_get_the_same_answer(ctx: Context) -> None:
    agent(ctx)
    with pytest.raises(SignInFailed) as unknown:
        sign_in(ctx, "nobody", PASSWORD)
    with pytest.raises(SignInFailed) as wrong:
        sign_in(ctx, "li.na", "wrong password 1")
    assert unknown.value.message == wrong.value.message


def test_repeated_failures_lock_the_account_for_a_while(ctx: Context, clock: FixedClock) -> None:
    agent(ctx)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(SignInFailed):
            sign_in(ctx, "li.na", "wrong password 1")
    with pytest.raises(AccountLocked):
        sign_in(ctx, "li.na", PASSWORD)  # even the right password, while locked
    clock.advance(minutes=16)
    assert sign_in(ctx, "li.na", PASSWORD).agent.username == "li.na"


def test_sessions_expire_after_a_shift(ctx: Context, clock: FixedClock) -> None:
    agent(ctx)
    session = sign_in(ctx, "li.na", PASSWORD)
    clock.advance(minutes=10 * 60 + 1)
    with pytest.raises(NotSignedIn):
        get_signed_in_agent(ctx, session.token)


@pytest.mark.parametrize(
    ("username", "languages", "password"),
    [("Li Na", "zh", PASSWORD), ("li.na", "fr", PASSWORD), ("li.na", "zh", "short"),
     ("li.na", "zh", "onlylowercaseletters")],
)  # fmt: skip
def test_bad_accounts_are_refused(
    ctx: Context, username: str, languages: str, password: str
) -> None:
    with pytest.raises(InvalidInput):
        add_agent(ctx, AddAgent(username, "x", AgentRole.AGENT, frozenset(languages.split(",")),
                                frozenset({"general"}), 3, password))  # fmt: skip
    agent(ctx)
    with pytest.raises(InvalidInput):
        agent(ctx)  # the same username twice
