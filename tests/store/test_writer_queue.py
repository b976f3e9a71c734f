"""SQLite writers queue (threads on a lock, processes on a file lock), released once per BEGIN."""

import fcntl
import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from databorder.ledger import merkle
from databorder.ledger.log import StoredLog
from databorder.ledger.models import LogLeaf
from databorder.model import utcnow
from databorder.store.db import (
    BackgroundCheckpoints,
    _WriterQueue,
    make_engine,
    make_sessionmaker,
)


class FakeConnection:
    def __init__(self) -> None:
        self.info: dict[str, Any] = {}
        self.statements: list[str] = []

    def exec_driver_sql(self, sql: str) -> None:
        self.statements.append(sql)


def test_a_failed_commit_followed_by_rollback_releases_once() -> None:
    queue = _WriterQueue()
    first = FakeConnection()
    queue.begin(first)
    assert first.statements == ["BEGIN IMMEDIATE"]
    queue.end(first)  # the commit event
    queue.end(first)  # the rollback event after a failed commit: must not release again

    acquired = threading.Event()

    def other() -> None:
        queue.begin(FakeConnection())
        acquired.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(timeout=5)
    assert acquired.is_set()  # another thread gets the lock: it was released, and only once


def test_a_second_writer_waits_until_the_first_ends() -> None:
    queue = _WriterQueue()
    holder = FakeConnection()
    queue.begin(holder)
    entered = threading.Event()
    thread = threading.Thread(target=lambda: (queue.begin(FakeConnection()), entered.set()))
    thread.start()
    assert not entered.wait(0.2)
    queue.end(holder)
    assert entered.wait(5)
    thread.join(timeout=5)


def _try_lock(path: Path) -> bool:
    """Whether another open file description can take the writer lock right now."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_other_processes_queue_on_a_file_lock_held_for_the_whole_transaction(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    lock = tmp_path / "db.sqlite-writer.lock"
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        session.execute(text("SELECT 1"))  # the transaction (BEGIN IMMEDIATE) starts here
        assert not _try_lock(lock)  # another process would wait here, not poll SQLite
    assert _try_lock(lock)

    def fail_inside() -> None:
        with sessions.begin() as session:
            session.execute(text("SELECT 1"))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        fail_inside()
    assert _try_lock(lock)  # released after a rollback too
    engine.dispose()


def _append(url: str, name: str, rounds: int) -> list[int]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    log = StoredLog(utcnow)
    got: list[int] = []
    for n in range(rounds):
        with sessions.begin() as session:
            got.extend(log.append_many(session, [f"{name}-{n}-{i}".encode() for i in range(3)]))
    engine.dispose()
    return got


def test_worker_processes_on_one_file_append_without_forking_the_log(
    migrated_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "shared.db"
    shutil.copy(migrated_template, database)
    url = f"sqlite:///{database}"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(_append, [(url, "a", 40), (url, "b", 40)])
    assert sorted(results[0] + results[1]) == list(range(240))
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        datas = [leaf.data for leaf in session.scalars(select(LogLeaf).order_by(LogLeaf.index))]
        assert len(set(datas)) == 240
        assert StoredLog(utcnow).root(session) == merkle.root_hash(
            [merkle.leaf_hash(d) for d in datas]
        )
    engine.dispose()


def test_background_checkpoints_take_wal_copying_out_of_commits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    sessions = make_sessionmaker(engine)

    def autocheckpoint() -> int:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())

    with sessions.begin() as session:
        session.execute(text("CREATE TABLE t (x BLOB)"))
    assert autocheckpoint() == 4000
    checkpoints = BackgroundCheckpoints(engine, interval=0.05)
    checkpoints.start()
    try:
        assert autocheckpoint() == 0  # commits no longer copy the WAL themselves
        for _ in range(20):
            with sessions.begin() as session:
                session.execute(text("INSERT INTO t VALUES (zeroblob(8000))"))
        deadline = time.monotonic() + 10
        while (frames := checkpoints.last)[0] < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert frames[0] >= 20  # 20 commits of 8 KB, each at least two 4 KiB pages
        time.sleep(0.2)
        assert checkpoints.last[1] == checkpoints.last[0]  # the thread copied every frame
    finally:
        checkpoints.stop()
    assert autocheckpoint() == 4000  # connections opened afterwards checkpoint by themselves
    engine.dispose()


def test_the_writer_lock_holds_no_descriptor_between_transactions(tmp_path: Path) -> None:
    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_files()
    for n in range(50):
        engine = make_engine(f"sqlite:///{tmp_path / f'db{n}.sqlite'}")
        with make_sessionmaker(engine).begin() as session:
            session.execute(text("SELECT 1"))
        engine.dispose()
    assert open_files() <= before + 2  # not one per engine
