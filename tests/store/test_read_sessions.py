"""Work that only reads does not queue behind writers: its own sessions, read-only.

On SQLite every transaction used to begin IMMEDIATE through the writer queue, so a credential
lookup, /metrics or a GET waited for whichever write was running (a 42 ms scrypt inside a login,
a group commit of disclosures). Read sessions begin DEFERRED and skip the queue; WAL lets them
read the last committed state while a writer holds the lock. On PostgreSQL they are READ ONLY
transactions. Either way a write in one fails at once instead of sometimes succeeding.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from databorder.api.app import create_app
from databorder.auth.models import ServiceKey
from databorder.auth.services import ServiceKeys
from databorder.runtime import Runtime, build
from databorder.settings import Settings
from databorder.store.db import make_engine, make_read_sessionmaker, make_sessionmaker
from factories import T0


@pytest.fixture
def rt(settings: Settings) -> Iterator[Runtime]:
    runtime = build(settings)
    yield runtime
    runtime.db.dispose()


class HeldWriter:
    """A write transaction, opened in a thread of its own and held until `release`."""

    def __init__(self, rt: Runtime) -> None:
        self.held = threading.Event()
        self.released = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(rt,))

    def _hold(self, rt: Runtime) -> None:
        with rt.sessions.begin() as session:
            session.execute(text("UPDATE service_keys SET name = 'renamed by the writer'"))
            self.held.set()
            self.released.wait(10)

    def __enter__(self) -> "HeldWriter":
        self.thread.start()
        assert self.held.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self.released.set()
        self.thread.join(10)


def test_a_read_proceeds_while_a_writer_holds_the_write_lock(rt: Runtime) -> None:
    with rt.sessions.begin() as session:
        ServiceKeys(session).issue("shop", ["platform"], T0)
    with HeldWriter(rt):
        started = time.perf_counter()
        with rt.reads() as session:
            names = session.scalars(select(ServiceKey.name)).all()
        took = time.perf_counter() - started
    assert names == ["shop"]  # the last committed state, not the writer's
    assert took < 1.0, f"the read waited {took:.2f} s for the writer"


def test_an_authenticated_get_is_answered_while_a_writer_holds_the_lock(rt: Runtime) -> None:
    with rt.sessions.begin() as session:
        key = ServiceKeys(session).issue("office", ["officer"], T0)
    with TestClient(create_app(rt), headers={"Authorization": f"Bearer {key}"}) as client:
        assert client.get("/v1/recipients").status_code == 200  # warm: imports, first connect
        with HeldWriter(rt):
            started = time.perf_counter()
            answer = client.get("/v1/recipients")
            took = time.perf_counter() - started
    assert answer.status_code == 200
    assert took < 1.0, f"the credential check and the read waited {took:.2f} s for the writer"


def test_a_write_in_a_read_session_fails_at_once(rt: Runtime) -> None:
    with rt.reads() as session, pytest.raises(DBAPIError, match=r"(?i)read-?only"):
        session.execute(text("UPDATE service_keys SET name = 'x'"))
    with rt.sessions.begin() as session:  # the connection went back to the pool writable
        ServiceKeys(session).issue("after", ["platform"], T0)
    with rt.reads() as session:
        assert session.scalars(select(ServiceKey.name)).all() == ["after"]


def test_reads_and_writes_share_one_pool_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    writes, reads = make_sessionmaker(engine), make_read_sessionmaker(engine)
    with writes.begin() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    for _ in range(3):  # alternating on the same pooled connections
        with reads() as session:
            assert session.execute(text("SELECT count(*) FROM t")).scalar_one() >= 1
        with writes.begin() as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
    with reads() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 4
    engine.dispose()
