"""Shared fixtures: a real migrated database per test, real keys, the real services.

Migrating once per session and copying the file per test keeps every test on a fresh database
built by the real Alembic migrations, without paying for the migration each time.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, inspect, text
from sqlalchemy.orm import Session

from databorder.api.app import create_app
from databorder.auth.services import Scope, ServiceKeys
from databorder.runtime import Runtime, build, init_keys
from databorder.settings import Settings
from databorder.store.base import Base
from databorder.store.db import checkpoint, make_engine
from databorder.store.distribution import COORDINATOR, apply_citus_plan
from databorder.store.migrate import upgrade
from databorder.store.migrations import all_models  # noqa: F401 (every table, for TRUNCATE)
from factories import add_buyer, add_consent, add_notice, add_order, add_recipient


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    checkpoint(engine)
    engine.dispose()
    return path


SCRIPTS = Path(__file__).parents[1] / "scripts"
PG_PORT = 54329


def _throwaway_server(
    script: str, prefix: str, args: list[str], timeout: float, subdir: str = ""
) -> Iterator[str]:
    """Start `scripts/<script> start DIR ARGS...` in a new directory (or `subdir` of it), yield
    the URL it prints, then stop it and remove the directory; what a failed start did start
    is stopped too."""
    base = tempfile.mkdtemp(prefix=prefix)
    os.chmod(base, 0o755)  # the postgres user must reach its data directories  # noqa: S103
    data = os.path.join(base, subdir) if subdir else base
    started = subprocess.run(
        [SCRIPTS / script, "start", data, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    try:
        if started.returncode != 0:
            raise RuntimeError(f"{script} failed:\n{started.stderr}")
        yield started.stdout.strip()
    finally:
        subprocess.run([SCRIPTS / script, "stop", data], check=False, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server: the one CI names, or one this session starts and stops."""
    given = os.environ.get("DATABORDER_TEST_PG_URL")
    if given:
        yield given
        return
    yield from _throwaway_server(
        "pg-test-server", "databorder-pg-", [str(PG_PORT)], 600, subdir="data"
    )


@pytest.fixture(scope="session")
def migrated_postgres(postgres_url: str) -> str:
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return postgres_url


CITUS_PORT = 54360  # the coordinator; its workers listen on the next two ports


@pytest.fixture(scope="session")
def citus_url() -> Iterator[str]:
    """A real Citus cluster (a coordinator and two workers): the one CI names, or one this
    session starts and stops (scripts/citus-test-cluster builds Citus once if it is missing)."""
    given = os.environ.get("DATABORDER_TEST_CITUS_URL")
    if given:
        yield given
        return
    port = os.environ.get("DATABORDER_TEST_CITUS_PORT", str(CITUS_PORT))
    # A first run builds Citus: about 90 s on a quiet machine, 4 min on a busy one.
    yield from _throwaway_server("citus-test-cluster", "databorder-citus-", [port], 900)


@pytest.fixture(scope="session")
def citus_plan_run(citus_url: str) -> list[str]:
    """The migrations, then the distribution plan, once a session: Citus's DDL is slow, and the
    tests clear the rows between them (`database_url`). The plan's statements that ran."""
    engine = make_engine(citus_url)
    # A named cluster may hold an earlier run's tables. Dropping them one by one, not the schema:
    # Citus's DROP SCHEMA public CASCADE fails ("cache lookup failed for pg_dist_local_group").
    tables = inspect(engine).get_table_names()
    if tables:
        with engine.begin() as conn:
            names = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"DROP TABLE {names} CASCADE"))
    upgrade(engine)
    ran = apply_citus_plan(engine)
    engine.dispose()
    return ran


@pytest.fixture(scope="session")
def migrated_citus(citus_url: str, citus_plan_run: list[str]) -> str:
    return citus_url


@pytest.fixture
def backend() -> str:
    """Which database a test runs on; test folders that must run on both override it."""
    return "sqlite"


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("migrated_template")
        db = tmp_path / "databorder.db"
        shutil.copyfile(template, db)
        return f"sqlite:///{db}"
    url: str = request.getfixturevalue(
        "migrated_citus" if backend == "citus" else "migrated_postgres"
    )
    engine = make_engine(url)
    with engine.begin() as conn:
        if backend == "citus":
            _clear_citus(conn)
        else:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


def _clear_citus(conn: Connection) -> None:
    """Empty every table between tests, cheaply: on the test cluster TRUNCATE takes ~0.5 s (it
    locks every shard on every node), DELETE of a test's few rows ~0.03 s. Sequential mode lets
    one transaction write reference tables after distributed ones; the log's local tables are
    truncated as on PostgreSQL (log_heads' ids start again at 1)."""
    conn.execute(text("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'"))
    for table in reversed(Base.metadata.sorted_tables):  # rows pointing elsewhere go first
        if table.name not in COORDINATOR:
            conn.execute(text(f'DELETE FROM "{table.name}"'))  # noqa: S608 (the models' names)
    local = ", ".join(f'"{t}"' for t in sorted(COORDINATOR - {"alembic_version"}))
    conn.execute(text(f"TRUNCATE {local} RESTART IDENTITY"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    settings = Settings(
        database_url=database_url,
        key_dir=tmp_path / "keys",
        mail_dir=tmp_path / "mail",
        audit_dir=tmp_path / "audit",
    )
    init_keys(settings)
    return settings


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build(settings)
    yield rt
    rt.db.dispose()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """A client holding a service key with every scope; tests of scopes build their own."""
    with runtime.sessions.begin() as s:
        key = ServiceKeys(s).issue("test suite", [scope.value for scope in Scope], runtime.now())
    with TestClient(create_app(runtime), headers={"Authorization": f"Bearer {key}"}) as test_client:
        yield test_client


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    with runtime.sessions() as s:
        yield s


@pytest.fixture
def world(runtime: Runtime) -> Runtime:
    """One Korean buyer, two Chinese sellers named in the notice, one order from the first.

    The buyer consented to both things the law asks of a seller abroad, for shipping: the
    provision to it (Art. 17(1)1, consent `c-p`) and the transfer abroad (Art. 28-8(1)1, `c-1`).
    """
    with runtime.sessions.begin() as s:
        add_recipient(s)
        add_recipient(s, "s-cn-2", legal_name="Yiwu Other Goods Co., Ltd.")
        add_buyer(s, runtime)
        add_notice(s, runtime)
        add_consent(s)
        add_consent(s, "c-p", kind="third_party_provision")
        add_order(s, runtime)
    return runtime
