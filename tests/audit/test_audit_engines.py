"""One definition, two engines: on a generated world the live database and DuckDB over its
Parquet export find exactly the same things; the export has the shape the checks read."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from audit_world import found
from sqlalchemy import text

from databorder.audit import (
    CHECKS,
    AuditReport,
    LiveSource,
    ParquetSource,
    export_parquet,
    params_from_pack,
    run_audit,
    snapshot,
)
from databorder.audit import export as export_module
from databorder.audit import sources as sources_module
from databorder.audit.relations import EXPORTED, Kind
from databorder.errors import InvalidInput
from databorder.runtime import Runtime
from databorder.sim.demo import simulate

NOW = datetime(2026, 11, 1, tzinfo=UTC)
AS_OF = NOW + timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def both(rt: Runtime, directory: Path) -> tuple[AuditReport, AuditReport]:
    params = params_from_pack(rt.engine.pack)
    with snapshot(rt.db) as connection:
        with LiveSource(connection, rt.signer.public_key, rt.log) as live:
            live_report = run_audit(live, params, AS_OF)
        export_parquet(connection, directory, rt.signer.public_key, rt.log, AS_OF)
    with ParquetSource(directory) as parquet:
        return live_report, run_audit(parquet, params, AS_OF)


def test_live_and_duckdb_find_the_same_on_a_generated_world(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks, so the export streams many of them even from a small world.
    monkeypatch.setattr(export_module, "CHUNK", 16)
    monkeypatch.setattr(sources_module, "CHUNK", 16)
    simulate(runtime, seed=5, buyers=40, sellers=8, orders=100, now=NOW)
    with runtime.sessions.begin() as s:
        # A few faults of different kinds on top of what the world itself holds.
        ids = s.execute(
            text("SELECT id FROM disclosures WHERE allowed AND cross_border ORDER BY id LIMIT 6")
        ).scalars()
        first, second, third, *_ = list(ids)
        s.execute(text("UPDATE disclosures SET bases = '[]' WHERE id = :id"), {"id": first})
        s.execute(text("UPDATE disclosures SET leaf_index = NULL WHERE id = :id"), {"id": second})
        s.execute(
            text(
                "DELETE FROM notice_recipients WHERE recipient_id = "
                "(SELECT recipient_id FROM disclosures WHERE id = :id)"
            ),
            {"id": third},
        )
        s.execute(text('UPDATE log_leaves SET data = :d WHERE "index" = 3'), {"d": b"{}"})
        runtime.signer.sign(s)
    live, duck = both(runtime, tmp_path / "export")
    assert (live.engine, duck.engine) == (runtime.db.dialect.name, "duckdb")
    findings = found(live)
    assert findings == found(duck)
    assert [r.to_json() for r in live.results] == [r.to_json() for r in duck.results]
    # Not agreement on nothing: the world's expired, unswept grants, and each fault above.
    assert {check for check, *_ in findings} >= {
        "A17-no-ground",
        "A21-grant-past-retention",
        "A28-8-2-not-in-notice",
        "LOG-record-without-leaf",
        "LOG-leaf-without-record",
        "LOG-tree",
    }


def test_the_export_holds_exactly_the_relations_the_checks_read(
    runtime: Runtime, tmp_path: Path
) -> None:
    directory = tmp_path / "export"
    with snapshot(runtime.db) as connection:
        report = export_parquet(
            connection, directory, runtime.signer.public_key, runtime.log, AS_OF
        )
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        ["manifest.json", *(f"{r.name}.parquet" for r in EXPORTED)]
    )
    for relation in EXPORTED:
        schema = pq.read_schema(directory / f"{relation.name}.parquet")
        assert schema.names == [c.name for c in relation.columns]
        instants = [c.name for c in relation.columns if c.kind is Kind.INSTANT]
        assert [str(schema.field(n).type) for n in instants] == ["timestamp[us, tz=UTC]"] * len(
            instants
        )
        # The disclosures and their links join on an integer, not on the id it stands for.
        keys = [c.name for c in relation.columns if c.kind is Kind.KEY]
        assert [str(schema.field(n).type) for n in keys] == ["int64"] * len(keys)
    assert report.rows == dict.fromkeys((r.name for r in EXPORTED), 0)
    with ParquetSource(directory) as parquet:
        assert parquet.exported_at == AS_OF
        assert run_audit(parquet, params_from_pack(runtime.engine.pack), AS_OF).clean


def test_an_export_refuses_a_directory_that_holds_files(runtime: Runtime, tmp_path: Path) -> None:
    directory = tmp_path / "reports"
    directory.mkdir()
    (directory / "notes.txt").write_text("keep me", "utf-8")
    with snapshot(runtime.db) as connection, pytest.raises(InvalidInput) as refused:
        export_parquet(connection, directory, runtime.signer.public_key, runtime.log, AS_OF)
    assert str(refused.value) == (
        f"out: {directory} exists and is not an empty directory; give a new or empty one"
    )
    assert [p.name for p in directory.iterdir()] == ["notes.txt"]


def test_every_check_runs_on_an_empty_database_on_every_engine(
    runtime: Runtime, tmp_path: Path
) -> None:
    live, duck = both(runtime, tmp_path / "export")
    assert live.clean
    assert duck.clean
    assert len(live.results) == len(duck.results) == len(CHECKS)
