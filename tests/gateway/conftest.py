"""Tests in this folder run against SQLite and against a real PostgreSQL server."""

import pytest


@pytest.fixture(params=["sqlite", "postgresql", "citus"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
