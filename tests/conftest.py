"""Shared fixtures: a real migrated database per test, real keys, the real services.

Migrating once per session and copying the file per test keeps every test on a fresh database
built by the real Alembic migrations, without paying for the migration each time.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from databorder.api.app import create_app
from databorder.runtime import Runtime, build, init_keys
from databorder.settings import Settings
from databorder.store.db import make_engine
from databorder.store.migrate import upgrade
from factories import add_buyer, add_consent, add_notice, add_order, add_recipient


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path) -> Settings:
    db = tmp_path / "databorder.db"
    shutil.copyfile(migrated_template, db)
    settings = Settings(database_url=f"sqlite:///{db}", key_dir=tmp_path / "keys")
    init_keys(settings)
    return settings


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build(settings)
    yield rt
    rt.db.dispose()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    with runtime.sessions() as s:
        yield s


@pytest.fixture
def world(runtime: Runtime) -> Runtime:
    """One Korean buyer, one Chinese seller with safeguards, a consent for shipping, one order."""
    with runtime.sessions.begin() as s:
        add_recipient(s)
        add_recipient(s, "s-cn-2", legal_name="Yiwu Other Goods Co., Ltd.")
        add_buyer(s, runtime)
        add_notice(s)
        add_consent(s)
        add_order(s, runtime)
    return runtime
