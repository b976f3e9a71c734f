"""The synthetic audit export: the real `ParquetSource` and checks find exactly what was planted."""

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from databorder.audit.export import arrow_schema
from databorder.audit.params import params_from_pack
from databorder.audit.relations import EXPORTED
from databorder.audit.run import run_audit
from databorder.audit.sources import ParquetSource
from databorder.audit.types import AuditReport
from databorder.errors import InvalidInput
from databorder.policy.pack import load_pack
from databorder.sim.audit_export import PLANTS, GeneratedExport, generate_export

RECORDS = 20_000
# pp-005 (abroad, no domestic agent) reaches about 1,200 buyers in 20,000 records; no other
# recipient abroad without an agent receives more than about 250 disclosures.
THRESHOLD = 600


def _audit(generated: GeneratedExport) -> AuditReport:
    params = params_from_pack(load_pack(), generated.agent_threshold)
    with ParquetSource(generated.directory) as source:
        return run_audit(source, params, source.exported_at)


def _found(report: AuditReport) -> dict[str, int]:
    return {r.check.id: r.count for r in report.results if r.count}


def test_a_world_without_plants_gives_no_finding(tmp_path: Path) -> None:
    generated = generate_export(tmp_path / "x", RECORDS, seed=4, plants=0, agent_threshold=10**6)
    report = _audit(generated)
    assert generated.expected == {}
    assert report.clean, _found(report)


def test_the_audit_finds_exactly_the_planted_violations(tmp_path: Path) -> None:
    generated = generate_export(
        tmp_path / "x", RECORDS, seed=4, plants=3, agent_threshold=THRESHOLD
    )
    # Every kind found room in a world this size (the suspension orders' windows are short).
    assert set(generated.planted) == set(PLANTS)
    assert all(n >= 2 for n in generated.planted.values()), generated.planted
    assert generated.expected["A31-2-no-domestic-agent"] == 1
    report = _audit(generated)
    # Every check fires, and exactly as often as its plants say.
    assert _found(report) == generated.expected
    assert {r.check.id for r in report.results} == set(generated.expected)


def test_each_plant_is_found_by_the_note_it_was_planted_as(tmp_path: Path) -> None:
    generated = generate_export(tmp_path / "x", RECORDS, seed=5, plants=2, agent_threshold=10**6)
    notes = Counter((f.check, f.note) for f in _audit(generated).findings)
    placed = generated.planted
    assert notes[("A17-no-ground", "no_basis")] == placed["no_basis"]
    assert notes[("A17-consent-not-held", "consent_missing")] == placed["consent_missing"]
    assert notes[("A21-read-after-end", "after_expiry")] == placed["read_after_end"]
    assert notes[("A35-request-overdue", "open_past_deadline")] == placed["request_overdue"]
    assert notes[("A35-request-overdue", "closed_late")] == placed["request_closed_late"]
    assert notes[("A36-erasure-unacknowledged", "recipient_not_told")] == placed["erasure_not_told"]
    assert notes[("LOG-record-without-leaf", "not_logged")] == (
        placed["disclosure_unlogged"] + placed["read_unlogged"]
    )
    assert notes[("LOG-leaf-without-record", "record_missing")] == placed["disclosure_deleted"]


def test_the_files_have_the_export_schema_and_the_manifest_counts_them(tmp_path: Path) -> None:
    generated = generate_export(tmp_path / "x", 5_000, seed=1, plants=1, agent_threshold=10**6)
    for relation in EXPORTED:
        path = generated.directory / f"{relation.name}.parquet"
        assert pq.read_schema(path) == arrow_schema(relation), relation.name
        assert pq.ParquetFile(path).metadata.num_rows == generated.rows[relation.name]
    assert generated.rows["disclosures"] == 5_000 - generated.planted["disclosure_deleted"]
    with ParquetSource(generated.directory) as source:
        assert source.manifest["synthetic"]["expected_findings"] == generated.expected


def test_the_same_seed_writes_the_same_records(tmp_path: Path) -> None:
    first = generate_export(tmp_path / "a", 3_000, seed=9, plants=1, agent_threshold=10**6)
    second = generate_export(tmp_path / "b", 3_000, seed=9, plants=1, agent_threshold=10**6)
    for name in ("disclosures", "disclosure_items", "access_grants", "log_leaf_records"):
        a = pq.read_table(first.directory / f"{name}.parquet")
        b = pq.read_table(second.directory / f"{name}.parquet")
        assert a.equals(b), name


def test_a_threshold_below_the_world_s_agentless_recipients_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="agent_threshold 5 is too low"):
        generate_export(tmp_path / "x", RECORDS, seed=4, plants=0, agent_threshold=5)


def test_a_directory_that_holds_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep").write_text("mine")
    with pytest.raises(InvalidInput, match="not an empty directory"):
        generate_export(tmp_path / "x", 100)
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["keep"]
