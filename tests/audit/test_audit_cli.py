"""`databorder audit run` and `databorder export parquet`, run as a user runs them."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from audit_world import Clean
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


@pytest.fixture
def engine() -> str:
    return "sqlite"  # the commands read the configured database; DuckDB through --parquet


def databorder(clean: Clean, *args: str) -> subprocess.CompletedProcess[str]:
    settings = clean.rt.settings
    env = {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
        "DATABORDER_AUDIT_DIR": str(settings.audit_dir),
        "COLUMNS": "120",
    }
    return subprocess.run(
        [sys.executable, "-m", "databorder", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def findings(path: Path) -> list[dict[str, object]]:
    report = json.loads(path.read_text("utf-8"))
    return [f for check in report["checks"] for f in check["findings"]]


def test_run_export_and_run_again_in_duckdb(clean: Clean, tmp_path: Path) -> None:
    clean.sql("UPDATE disclosures SET bases = '[]' WHERE id = :id", id=clean.disclosure)
    live = databorder(
        clean,
        "audit",
        "run",
        "--json",
        str(tmp_path / "live.json"),
        "--csv",
        str(tmp_path / "live.csv"),
    )
    # Findings exit 1, like a log that does not verify.
    assert live.returncode == 1, live.stderr
    assert live.stderr == ""
    row = next(line for line in live.stdout.splitlines() if "A17-no-ground" in line)
    assert [cell.strip() for cell in row.split("│")[1:6]] == [
        "A17-no-ground",
        "PIPA 17(1), 28-8(1)",
        "high",
        "1",
        "0",
    ]
    expected = {
        "check": "A17-no-ground",
        "records": [{"kind": "disclosure", "id": clean.disclosure}],
        "leaf_indexes": [clean.leaf],
        "at": "2026-11-01T09:05:00+00:00",
        "note": "no_basis",
    }
    assert expected in findings(tmp_path / "live.json")
    with (tmp_path / "live.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {
        "check": "A17-no-ground",
        "article": "PIPA 17(1), 28-8(1)",
        "severity": "high",
        "record_kind": "disclosure",
        "record": clean.disclosure,
        "related_kind": "",
        "related": "",
        "leaf_indexes": str(clean.leaf),
        "at": "2026-11-01T09:05:00+00:00",
        "note": "no_basis",
    } in rows

    export = databorder(clean, "export", "parquet", "--out", str(tmp_path / "export"))
    assert export.returncode == 0, export.stderr
    manifest = json.loads(export.stdout)  # the bars went to stderr
    assert "log_leaves" in export.stderr
    assert manifest["relations"]["disclosures"]["rows"] == 3
    assert manifest["log"] == {"tree_size": 4, "problems": 0}
    assert json.loads((tmp_path / "export" / "manifest.json").read_text("utf-8")) == manifest

    duck = databorder(
        clean,
        "audit",
        "run",
        "--engine",
        "duckdb",
        "--parquet",
        str(tmp_path / "export"),
        "--json",
        str(tmp_path / "duck.json"),
    )
    assert duck.returncode == 1, duck.stderr
    assert "engine duckdb" in duck.stdout
    # Judged at the export's instant rather than the command's now: the same findings.
    assert findings(tmp_path / "duck.json") == findings(tmp_path / "live.json")


def test_a_window_without_findings_exits_zero(clean: Clean, tmp_path: Path) -> None:
    clean.sql("UPDATE disclosures SET bases = '[]' WHERE id = :id", id=clean.disclosure)
    quiet = databorder(
        clean,
        "audit",
        "run",
        "--from",
        "2026-11-01T18:06:00+09:00",  # after the first disclosure (09:05 UTC)
        "--to",
        "2026-11-01T18:07:00+09:00",
        "--json",
        str(tmp_path / "window.json"),
    )
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    report = json.loads((tmp_path / "window.json").read_text("utf-8"))
    assert report["clean"] is True
    assert report["window"] == {
        "from": "2026-11-01T18:06:00+09:00",
        "to": "2026-11-01T18:07:00+09:00",
    }


def test_a_live_run_records_its_pack_and_verify_pack_checks_it(clean: Clean) -> None:
    clean.sql("UPDATE disclosures SET bases = '[]' WHERE id = :id", id=clean.disclosure)
    run = databorder(
        clean, "audit", "run", "--sales", "3000000000", "--sales", "1,000,000,000",
        "--unrelated-sales", "0",
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    line = next(x for x in run.stdout.splitlines() if x.startswith("audit run aud-"))
    pack = Path(line.split("evidence pack ")[1].split(" (sha256")[0])
    assert pack.parent == clean.rt.settings.audit_dir
    listed = databorder(clean, "audit", "runs")
    assert listed.returncode == 0, listed.stderr
    assert pack.name.removesuffix(".tar.gz") in listed.stdout
    key = clean.rt.settings.key_dir / "log.pub.pem"
    key.write_bytes(
        clean.rt.signer.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    checked = databorder(clean, "audit", "verify-pack", str(pack), "--key", str(key))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("intact: 15 files")
    damaged = pack.with_name("damaged.tar.gz")
    damaged.write_bytes(pack.read_bytes()[:-40])
    refused = databorder(clean, "audit", "verify-pack", str(damaged))
    assert refused.returncode == 1
    assert "problem: not a gzip'd tar archive" in refused.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sales", "100"), "--sales and --unrelated-sales: give both, or neither"),
        (("--sales", "1.5", "--unrelated-sales", "0"), "--sales: expected whole won in digits"),
        (("--sales", "10", "--unrelated-sales", "11"), "--unrelated-sales: the unrelated sales"),
        (
            ("--engine", "duckdb", "--parquet", ".", "--sales", "1", "--unrelated-sales", "0"),
            "--sales: the exposure is part of the evidence pack",
        ),
    ],
)
def test_bad_sales_are_refused_before_anything_runs(
    clean: Clean, args: tuple[str, ...], message: str
) -> None:
    refused = databorder(clean, "audit", "run", *args)
    assert refused.returncode == 2
    assert message in refused.stderr
    assert not clean.rt.settings.audit_dir.exists()
