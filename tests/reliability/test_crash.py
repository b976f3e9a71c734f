"""SIGKILL the server under concurrent writers, restart it, repeat: what was acknowledged holds.

One attack per database (SQLite and PostgreSQL), shared by the tests below, each asserting one
promise (the harness is `crash_harness.py`): `make test` runs 3 kills under 8 writers,
`make stress` (DATABORDER_STRESS=1) the issue's 17 kills under 20 writers. The attack's figures
are logged (`pytest tests/reliability/test_crash.py --log-cli-level=INFO` shows them).
"""

import json
import logging
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest
from crash_harness import AttackRecord, Findings, Plan, attack, check, load_harness_world
from sqlalchemy import text

from databorder.runtime import init_keys
from databorder.settings import Settings
from databorder.store.base import Base
from databorder.store.db import make_engine

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Crashed:
    backend: str
    record: AttackRecord
    findings: Findings


def _fresh_database(backend: str, workdir: Path, request: pytest.FixtureRequest) -> str:
    """A migrated, empty database of the suite's own (a copy of the template, or the server's)."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("migrated_template")
        shutil.copyfile(template, workdir / "databorder.db")
        return f"sqlite:///{workdir / 'databorder.db'}"
    url: str = request.getfixturevalue("migrated_postgres")
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crashed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Crashed:
    backend = str(request.param)
    workdir = tmp_path_factory.mktemp(f"crash-{backend}")
    settings = Settings(
        database_url=_fresh_database(backend, workdir, request), key_dir=workdir / "keys"
    )
    init_keys(settings)
    world = load_harness_world(settings)
    record = attack(settings, world, Plan.from_env(), workdir)
    findings = check(settings, record, workdir)
    LOG.info("crash harness on %s: %s", backend, json.dumps(findings.summary(record)))
    return Crashed(backend, record, findings)


def test_every_acknowledged_disclosure_is_there_with_its_grant_and_leaf(crashed: Crashed) -> None:
    record = crashed.record
    acks, wanted = record.tally.acks(), record.plan.acks_per_round * (record.kills + 1)
    assert acks >= wanted  # every server answered its round before it was killed
    granted = sum(a.grant_id is not None for a in record.tally.disclosures)
    refused = sum(not a.allowed for a in record.tally.disclosures)
    reads = record.tally.reads.total()
    assert granted > 0  # granted disclosures were among them,
    assert refused > 0  # and refusals, recorded as well,
    assert reads > 0  # and sellers read what they were granted, each read logged
    assert crashed.findings.missing_acknowledged == []


def test_nothing_is_half_written(crashed: Crashed) -> None:
    """Every leaf names its row and every row its leaf; every grant has its one disclosure."""
    assert crashed.findings.half_written == []
    counts = dict(crashed.findings.counts)
    assert counts["log_leaves"] == counts["disclosure_rows"] + counts["seller_reads"]


def test_acknowledged_withdrawals_hold_and_no_grant_outlives_its_consent(crashed: Crashed) -> None:
    withdrawn = len(crashed.record.tally.withdrawals)
    assert withdrawn > 0, "no withdrawal was acknowledged during the attack"
    assert crashed.findings.withdrawals == []


def test_a_disclosure_retried_with_its_idempotency_key_is_made_once(crashed: Crashed) -> None:
    retried = crashed.record.tally.retries
    assert retried > 0  # cut-off disclosures were sent again
    assert crashed.findings.retries == []


def test_the_log_verifies_after_the_kills(crashed: Crashed) -> None:
    assert crashed.findings.log_verify == []


def test_the_kills_landed_mid_load_and_the_server_came_back_each_time(crashed: Crashed) -> None:
    record = crashed.record
    in_doubt, starts, kills = record.tally.in_doubt, len(record.starts), record.kills
    assert in_doubt > 0  # requests were in flight when the server died
    assert starts == kills + 1  # each restart was ready and answered
    read_back = dict(record.read_back)
    sampled = sum(read_back.values())
    assert sampled > 0
    assert read_back == {200: sampled}  # acknowledged disclosures read back over HTTP
    # ... and the last one stopped on SIGTERM: uvicorn finishes its shutdown (queued disclosures
    # committed), then raises the signal it caught again, so the exit is 0 or -SIGTERM.
    graceful_exit = record.graceful_exit
    assert graceful_exit in (0, -signal.SIGTERM)


def test_no_request_was_answered_with_a_server_error(crashed: Crashed) -> None:
    server_errors = list(crashed.record.tally.server_errors)
    assert server_errors == []


def test_the_stress_plan_is_the_issues_attack() -> None:
    assert Plan.from_env({"DATABORDER_STRESS": "1"}).kills == 17
    assert Plan.from_env({"DATABORDER_STRESS": "1"}).writers == 20
    assert Plan.from_env({}) == Plan(kills=3, writers=8, acks_per_round=50, resolve_seconds=3.0)
