"""The audit's tests run on three engines: SQLite and PostgreSQL live, DuckDB over an export."""

from pathlib import Path

import pytest
from audit_world import Audit, Clean, audit_on, build_clean

from databorder.runtime import Runtime


@pytest.fixture(params=["sqlite", "postgresql", "duckdb"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend(engine: str) -> str:
    """DuckDB audits an export of a SQLite world; the live engines audit their own."""
    return "postgresql" if engine == "postgresql" else "sqlite"


@pytest.fixture
def audit(engine: str, runtime: Runtime, tmp_path: Path) -> Audit:
    return audit_on(engine, runtime, tmp_path)


@pytest.fixture
def clean(world: Runtime) -> Clean:
    return build_clean(world)
