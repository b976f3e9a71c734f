"""A migrated database (SQLite and PostgreSQL) with an empty log, a signing key, a fixed clock."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from databorder.api import errors
from databorder.ledger.http import make_router
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import HeadSigner, create_signing_key
from databorder.store.db import make_engine, make_sessionmaker

FIXED_NOW = datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(params=["sqlite", "postgresql", "citus"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def log() -> StoredLog:
    return StoredLog(fixed_clock)


@pytest.fixture
def signing_key(tmp_path: Path) -> Ed25519PrivateKey:
    return create_signing_key(tmp_path / "keys" / "log-signing.key")


@pytest.fixture
def signer(signing_key: Ed25519PrivateKey, log: StoredLog) -> HeadSigner:
    return HeadSigner(signing_key, log, fixed_clock)


@pytest.fixture
def client(sessions: sessionmaker[Session], signer: HeadSigner) -> Iterator[TestClient]:
    """The log's public routes on an app of their own, with the API's error answers."""
    app = FastAPI()
    errors.install(app)
    app.include_router(make_router(sessions, signer))
    with TestClient(app) as test_client:
        yield test_client
