"""The schema comes from Alembic migrations, and the migrations match the models exactly."""

from pathlib import Path

from sqlalchemy import inspect, text

from databorder.store.db import make_engine
from databorder.store.migrate import schema_drift


def test_migrations_build_every_table_and_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)  # migrated by the fixture, on SQLite and PostgreSQL
    tables = set(inspect(engine).get_table_names())
    assert {
        "recipients",
        "consents",
        "disclosures",
        "access_grants",
        "vault_items",
        "log_leaves",
    } <= tables
    assert schema_drift(engine) == []
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
