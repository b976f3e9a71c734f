"""`databorder log ...`: verify, head and prove through the runtime, on SQLite and PostgreSQL."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from databorder.cli import app
from databorder.gateway.types import DisclosureAsk
from databorder.ledger import merkle
from databorder.model import DataItem, Purpose
from databorder.runtime import Runtime
from databorder.settings import Settings
from factories import T0


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def record(n: int) -> bytes:
    return f'{{"type":"disclosure","n":{n}}}'.encode()


@pytest.fixture
def signed(runtime: Runtime) -> Runtime:
    """A log of 20 leaves and one signed head over all of them."""
    with runtime.sessions.begin() as s:
        runtime.log.append_many(s, [record(n) for n in range(20)])
        runtime.signer.sign(s)
    return runtime


def log(settings: Settings, *args: str) -> Result:
    env = {
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
    }
    return CliRunner().invoke(app, ["log", *args], env=env)


def test_verify_passes_on_an_intact_log(settings: Settings, signed: Runtime) -> None:
    result = log(settings, "verify")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "log intact: 20 leaves, every node recomputed, 1 signed head(s) checked\n"
    )


def test_verify_fails_naming_the_first_bad_index(settings: Settings, signed: Runtime) -> None:
    with signed.sessions.begin() as s:
        s.execute(text('DELETE FROM log_leaves WHERE "index" = 13'))
        s.execute(text('UPDATE log_leaves SET data = :data WHERE "index" = 17'), {"data": b"{}"})
    result = log(settings, "verify")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "log TAMPERED: first bad index 13; 2 problem(s) in a log of 20 leaves",
        "  index 13: leaf_missing: leaf 13 is missing (deleted)",
        "  index 17: leaf_changed: leaf 17 does not hash to the tree's leaf hash: its data changed",
        "note: heads not compared: the stored tree itself is damaged",
    ]


def test_log_commands_refuse_without_the_signing_key(settings: Settings, signed: Runtime) -> None:
    settings.log_signing_key_path.unlink()
    for command in ("verify", "head"):
        result = log(settings, command)
        assert result.exit_code == 1
        assert "log-signing.key is missing; run `databorder init`" in result.output


def test_head_and_prove_print_what_a_buyer_checks(settings: Settings, signed: Runtime) -> None:
    head = json.loads(log(settings, "head").output)
    assert head["tree_size"] == 20
    result = log(settings, "prove", "--index", "5")
    assert result.exit_code == 0, result.output
    bundle = json.loads(result.output)
    assert bundle["record"] == {"type": "disclosure", "n": 5}
    assert bundle["head"] == head
    assert merkle.verify_inclusion(
        merkle.leaf_hash(bundle["leaf_data"].encode()),
        5,
        bundle["inclusion_proof"]["tree_size"],
        [bytes.fromhex(h) for h in bundle["inclusion_proof"]["hashes"]],
        bytes.fromhex(head["root_hash"]),
    )


def test_prove_a_leaf_beyond_the_log_exits_3(settings: Settings, signed: Runtime) -> None:
    result = log(settings, "prove", "--index", "20")
    assert result.exit_code == 3
    assert "error: log leaf '20' not found" in result.output


def test_prove_by_disclosure_id_proves_its_record(settings: Settings, world: Runtime) -> None:
    ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME, DataItem.ADDRESS))
    with world.sessions.begin() as s:
        world.log.append_many(s, [record(n) for n in range(3)])  # the disclosure is not leaf 0
        outcome = world.gateway.disclose(s, ask, T0 + timedelta(minutes=5))
    result = log(settings, "prove", "--disclosure", outcome.disclosure_id)
    assert result.exit_code == 0, result.output
    bundle = json.loads(result.output)
    assert bundle["leaf_index"] == outcome.leaf_index == 3
    assert bundle["record"]["id"] == outcome.disclosure_id


def test_prove_an_unknown_disclosure_exits_3_naming_it(settings: Settings) -> None:
    result = log(settings, "prove", "--disclosure", "nope")
    assert result.exit_code == 3
    assert result.output == "error: disclosure: no logged disclosure 'nope'\n"
