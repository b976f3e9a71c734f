"""The schema comes from Alembic migrations, and the migrations match the models exactly."""

from pathlib import Path

from sqlalchemy import inspect, text

from databorder.store.db import make_engine
from databorder.store.distribution import DROPPED_FOREIGN_KEYS
from databorder.store.migrate import schema_drift


def test_migrations_build_every_table_and_match_the_models(backend: str, database_url: str) -> None:
    engine = make_engine(database_url)  # migrated by the fixture, on SQLite, PostgreSQL, Citus
    tables = set(inspect(engine).get_table_names())
    assert {
        "recipients",
        "consents",
        "disclosures",
        "access_grants",
        "vault_items",
        "log_leaves",
    } <= tables
    drift = [(change[0], change[1].name) for change in schema_drift(engine)]
    # On Citus the distribution plan has run after the migrations: it drops the foreign keys it
    # lists (store/distribution.py says why for each), and nothing else differs.
    expected = (
        sorted(("add_fk", f"fk_{t}_{cols[0]}_{to}") for t, cols, to in DROPPED_FOREIGN_KEYS)
        if backend == "citus"
        else []
    )
    assert sorted(drift) == expected
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
