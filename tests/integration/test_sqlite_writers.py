"""SQLite writers from several threads and processes queue for the write lock: none fails, none
loses an update (read-modify-write transactions, as a turn's append and a use case's write are)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from sqlalchemy import text

from parceldesk.storage.engine import create_database_engine

INCREMENTS = 150


def _increment(url: str, times: int) -> None:
    engine = create_database_engine(url)
    for _ in range(times):
        with engine.begin() as db:
            value = db.execute(text("SELECT value FROM counter")).scalar_one()
            db.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})
    engine.dispose()


def _increment_in_threads(url: str) -> None:
    threads = [threading.Thread(target=_increment, args=(url, INCREMENTS)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_writers_in_two_processes_and_several_threads_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/writers.db"
    engine = create_database_engine(url)
    with engine.begin() as db:
        db.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)"))
        db.execute(text("INSERT INTO counter VALUES (0)"))
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment_in_threads, args=(url,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    _increment(url, INCREMENTS)
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    with engine.connect() as db:
        assert db.execute(text("SELECT value FROM counter")).scalar_one() == 7 * INCREMENTS
    engine.dispose()
