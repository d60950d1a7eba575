"""Engines for SQLite (embedded default, WAL) and PostgreSQL, built on request, never at import."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

READ_ONLY = "parceldesk_read_only"
"""Execution option for connections that only read (``engine.connect().execution_options``)."""


def create_database_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and writers that queue."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, echo=echo)
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, echo=echo, pool_pre_ping=True, future=True)


def _sqlite_engine(url: str, database: str | None, *, echo: bool) -> Engine:
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "isolation_level": None})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    # Writers take SQLite's write lock at the start (BEGIN IMMEDIATE): read-modify-write
    # transactions then queue instead of failing when another writer committed between their read
    # and their write. They queue on a thread lock and a lock file first (other server processes
    # share the file), so they wait their turn instead of polling SQLite's busy handler, which
    # sleeps up to 100 ms at a time. The lock is let go after COMMIT/ROLLBACK has run.
    # Connections opened with ``READ_ONLY`` begin a plain (deferred) transaction: WAL lets them
    # read while a writer writes.
    writers = _WriterLock(
        Path(f"{database}.writers") if database and database != ":memory:" else None
    )

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        writers.acquire()
        connection.info["holds_write_lock"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end(connection, None)
            raise

    def _end(connection: Any, statement: str | None) -> None:
        try:
            if statement and connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql(statement)
        finally:
            if connection.info.pop("holds_write_lock", False):
                writers.release()

    event.listen(engine, "commit", lambda connection: _end(connection, "COMMIT"))
    event.listen(engine, "rollback", lambda connection: _end(connection, "ROLLBACK"))
    return engine


class _WriterLock:
    """Threads of this process queue on an RLock; processes queue on ``flock`` of one file.

    The lock file is opened once per process (on first use, so a forked child opens its own:
    an inherited descriptor would share the parent's lock) and kept open until the lock is
    garbage-collected with its engine; every write transaction used to open and close it.
    """

    def __init__(self, path: Path | None) -> None:
        self._threads = threading.RLock()
        self._path = path
        self._depth = 0
        self._fd: int | None = None
        self._owner_pid = 0

    def acquire(self) -> None:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1 and self._path is not None:
            fcntl.flock(self._lock_fd(self._path), fcntl.LOCK_EX)

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def _lock_fd(self, path: Path) -> int:
        if self._fd is None or self._owner_pid != os.getpid():
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            self._owner_pid = os.getpid()
            weakref.finalize(self, os.close, self._fd)
        return self._fd


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
