"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from parceldesk.storage.migrate import (
    check_database_current,
    find_current_revision,
    upgrade_database,
)
from parceldesk.storage.tables import metadata


def test_migrated_schema_matches_the_tables_in_code(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []
    assert check_database_current(engine)


def test_upgrading_twice_is_harmless(engine: Engine) -> None:
    revision = find_current_revision(engine)
    upgrade_database(engine)
    assert find_current_revision(engine) == revision
