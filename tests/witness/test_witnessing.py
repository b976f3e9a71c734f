"""The log and two real witnesses on loopback: cosigning, and a rollback and a fork caught."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from witness_factories import Running

from databorder.ledger.checkpoint import Policy
from databorder.ledger.held import explain_held, explain_policy, read_held
from databorder.ledger.note import parse_vkey
from databorder.ledger.verify import verify_log
from databorder.ledger.witnessing import (
    Alarm,
    WitnessEndpoint,
    Witnessing,
    cosigned_checkpoint,
    http_post,
)
from databorder.runtime import Runtime

MAX_AGE = 600


def _append(rt: Runtime, count: int, tag: str = "leaf") -> None:
    with rt.sessions.begin() as session:
        start = rt.log.size(session)
        rt.log.append_many(session, [f"{tag} {start + i}".encode() for i in range(count)])


def _checkpoint(rt: Runtime) -> bytes:
    with rt.sessions.begin() as session:
        return cosigned_checkpoint(session, rt.signer, rt.signer.current(session)).encode()


def _policy(rt: Runtime, witnesses: list[Running], quorum: int = 2) -> Policy:
    return Policy(rt.signer.verifier, tuple(parse_vkey(w.vkey) for w in witnesses), quorum, MAX_AGE)


def _now(rt: Runtime) -> int:
    return int(rt.now().timestamp())


def _roll_back(rt: Runtime, size: int) -> None:
    """What an operator with write access can do: drop the last leaves with everything that
    covered them (nodes, size, heads, the cosignatures the log kept)."""
    with rt.sessions.begin() as session:
        session.execute(text('DELETE FROM log_leaves WHERE "index" >= :n'), {"n": size})
        for level in range(32):  # far above any test tree's height
            session.execute(
                text('DELETE FROM log_nodes WHERE level = :l AND ("index" + 1) * :w > :n'),
                {"l": level, "w": 2**level, "n": size},
            )
        session.execute(text("UPDATE log_state SET size = :n"), {"n": size})
        session.execute(text("DELETE FROM log_heads WHERE tree_size > :n"), {"n": size})
        session.execute(text("DELETE FROM log_cosignatures WHERE tree_size > :n"), {"n": size})


def test_both_witnesses_cosign_each_new_checkpoint(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    _append(witnessed, 10)
    assert [(r.witness, r.cosigned) for r in witnessed.witnessing.submit()] == [
        ("witness.example/w1", True),
        ("witness.example/w2", True),
    ]
    trusted = _policy(witnessed, witnesses).check(_checkpoint(witnessed), _now(witnessed))
    assert trusted.checkpoint.size == 10
    assert len(trusted.cosignatures) == 2

    _append(witnessed, 300)  # from size 10: the request carries a consistency proof
    assert all(r.cosigned for r in witnessed.witnessing.submit())
    assert _policy(witnessed, witnesses).check(_checkpoint(witnessed), _now(witnessed))
    assert [w.witness.store.history("databorder.localhost/log") for w in witnesses] == [
        [10, 310],
        [10, 310],
    ]


def test_a_rollback_is_caught_by_a_kept_checkpoint_and_refused_by_the_witnesses(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    _append(witnessed, 20)
    assert all(r.cosigned for r in witnessed.witnessing.submit())
    kept = read_held(_checkpoint(witnessed), witnessed.signer)

    _roll_back(witnessed, 15)
    with witnessed.sessions.begin() as session:
        # The log's own check is blind to it: what is left is a consistent, signed log.
        assert verify_log(session, witnessed.signer.public_key, witnessed.log).ok
        assert explain_held(session, witnessed.log, kept) == (
            "rolled back: a kept checkpoint covers 20 leaves, the log holds 15"
        )

    _append(witnessed, 3, tag="rewritten")  # 18 leaves, fewer than the witnesses saw
    results = witnessed.witnessing.submit()
    assert [(r.alarm, r.cosigned) for r in results] == [(Alarm.ROLLBACK, False)] * 2
    assert "cosigned size 20, the log now holds 18 leaves" in results[0].detail
    with witnessed.sessions.begin() as session:
        problem = explain_policy(
            session, witnessed.signer, _policy(witnessed, witnesses), _now(witnessed)
        )
    # What the log kept of its cosignatures went with the rollback: nothing witnessed is left.
    assert problem == "no checkpoint of this log has been cosigned by a witness"

    _append(witnessed, 5, tag="rewritten")  # 23 leaves: past the witnesses, on another history
    results = witnessed.witnessing.submit()
    assert [(r.alarm, r.cosigned) for r in results] == [(Alarm.FORK, False)] * 2
    assert "consistency proof does not verify" in results[0].detail
    refusals = witnesses[0].witness.store.refusals("databorder.localhost/log")
    assert [status for status, _ in refusals] == [422]
    with witnessed.sessions.begin() as session:
        assert (explain_held(session, witnessed.log, kept) or "").startswith("forked: at size 20")


def test_a_witness_that_does_not_follow_this_log_is_a_configuration_alarm(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    other = witnessed.settings.model_copy(update={"log_origin": "other.example/log"})
    from databorder.runtime import build  # noqa: PLC0415

    rt = build(other.model_copy(update={"witnesses": [witnesses[0].spec]}))
    try:
        [result] = rt.witnessing.submit()
    finally:
        rt.db.dispose()
    assert result.alarm is Alarm.CONFIGURATION
    assert result.detail.startswith("404")


def test_an_unreachable_witness_is_reported_and_stops_nothing(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    closed = WitnessEndpoint.parse(f"http://127.0.0.1:9 {witnesses[0].vkey}")
    both = Witnessing(
        witnessed.signer,
        witnessed.sessions,
        [closed, WitnessEndpoint.parse(witnesses[1].spec)],
        http_post(5.0),
    )
    _append(witnessed, 4)
    first, second = both.submit()
    assert first.alarm is Alarm.UNREACHABLE
    assert second.cosigned


@pytest.mark.parametrize("backend", ["sqlite"])
def test_log_verify_holds_the_log_to_a_kept_checkpoint_and_a_quorum(
    witnessed: Runtime, witnesses: list[Running], tmp_path: Path
) -> None:
    _append(witnessed, 20)
    witnessed.witnessing.submit()
    kept = tmp_path / "kept.checkpoint"
    settings = witnessed.settings
    env = {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
        "DATABORDER_WITNESSES": json.dumps(settings.witnesses),
    }

    def databorder(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "databorder", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    saved = databorder("log", "checkpoint")
    assert saved.returncode == 0, saved.stderr
    kept.write_text(saved.stdout, "utf-8")
    assert saved.stdout.count("\u2014 ") == 3  # the log's signature and two cosignatures
    policy = [f"--witness={w.vkey}" for w in witnesses] + ["--quorum=2", "--max-age=600"]
    fine = databorder("log", "verify", f"--checkpoint={kept}", *policy)
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "extends the kept checkpoint of 20 leaves" in fine.stdout

    _roll_back(witnessed, 12)
    _append(witnessed, 10, tag="rewritten")
    assert databorder("log", "witness").returncode == 1
    caught = databorder("log", "verify", f"--checkpoint={kept}", *policy)
    assert caught.returncode == 1
    assert "forked: at size 20" in caught.stdout
    assert "no checkpoint of this log has been cosigned by a witness" in caught.stdout
