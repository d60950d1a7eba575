"""Shared fixtures: the policy, a fixed clock, and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from parceldesk.conversation.nlu.understand import Understander
from parceldesk.domain.policy import Policy
from parceldesk.policy_file import load_policy
from parceldesk.services.context import Context, FixedClock
from parceldesk.services.ports import UnitOfWork
from parceldesk.storage.engine import create_database_engine
from parceldesk.storage.migrate import upgrade_database
from parceldesk.storage.tables import metadata
from parceldesk.storage.unit_of_work import SqlUnitOfWork

POSTGRES_URL = os.environ.get("PARCELDESK_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("PARCELDESK_REQUIRE_POSTGRES") == "1"
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def understander(policy: Policy) -> Understander:
    """The embedded NLU trained once for the whole test session."""
    return Understander.train(policy.carriers)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()  # the last connection to close folds the WAL into the file
    assert not path.with_name("template.db-wal").exists()
    return path


def fresh_sqlite_engine(template: Path, folder: Path) -> Engine:
    target = folder / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template, target)
    return create_database_engine(f"sqlite:///{target}")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A throw-away PostgreSQL database, migrated once for the whole session."""
    if not POSTGRES_URL:
        _missing_postgres("PARCELDESK_TEST_POSTGRES_URL is not set")
    admin = create_database_engine(POSTGRES_URL)
    name = f"parceldesk_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        _missing_postgres(str(error.orig).splitlines()[0])
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_database_engine(url)
    upgrade_database(engine)
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _missing_postgres(reason: str) -> None:
    if REQUIRE_POSTGRES:
        pytest.fail(f"PostgreSQL is required here but unavailable: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def truncate_all(engine: Engine) -> None:
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = fresh_sqlite_engine(sqlite_template, tmp_path)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    truncate_all(engine)
    yield engine


def make_context(engine: Engine, policy: Policy, clock: FixedClock) -> Context:
    def unit_of_work() -> UnitOfWork:
        return SqlUnitOfWork(engine)

    return Context(unit_of_work, policy, clock, b"test-secret-key")


@pytest.fixture
def ctx(engine: Engine, policy: Policy, clock: FixedClock) -> Context:
    return make_context(engine, policy, clock)
