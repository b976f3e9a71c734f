"""SQLite writers of one process queue on a lock that is released exactly once per BEGIN."""

import threading
from typing import Any

from databorder.store.db import _WriterQueue


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
