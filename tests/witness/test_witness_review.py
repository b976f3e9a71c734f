"""What a careful reading of the specifications asked for: no log signature for a root the log
never signed, one witness counted once, the witness's exact 409, its monitor view, bounded
evidence, and a round that survives one witness's nonsense."""

import hashlib
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import text
from witness_factories import Running

from databorder.ledger.checkpoint import Checkpoint, Policy, sign_checkpoint
from databorder.ledger.held import explain_policy
from databorder.ledger.merkle import EMPTY_ROOT
from databorder.ledger.note import NoteError, SignatureType, Verifier, cosign, parse_vkey
from databorder.ledger.signing import UnsignedHeadError
from databorder.ledger.witnessing import Alarm, WitnessEndpoint, Witnessing, cosigned_checkpoint
from databorder.runtime import Runtime
from databorder.witness.app import make_app
from databorder.witness.protocol import AddCheckpoint, format_add_checkpoint

ORIGIN = "databorder.localhost/log"


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _append(rt: Runtime, count: int) -> None:
    with rt.sessions.begin() as session:
        start = rt.log.size(session)
        rt.log.append_records(
            session, [{"type": "disclosure", "id": f"d-{start + i}"} for i in range(count)]
        )


@pytest.fixture
def witness_client(witnesses: list[Running]) -> Iterator[TestClient]:
    with TestClient(make_app(witnesses[0].witness)) as client:
        yield client


def test_a_changed_head_row_is_not_signed_as_a_checkpoint(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    _append(witnessed, 5)
    assert all(r.cosigned for r in witnessed.witnessing.submit())
    with witnessed.sessions.begin() as session:
        session.execute(text("UPDATE log_heads SET root_hash = :r"), {"r": bytes(32)})
    with witnessed.sessions.begin() as session:
        head = witnessed.signer.latest(session)
        assert head is not None
        with pytest.raises(UnsignedHeadError, match="refusing to sign"):
            cosigned_checkpoint(session, witnessed.signer, head)
    [first, second] = witnessed.witnessing.submit()
    assert (first.alarm, second.alarm) == (Alarm.TAMPERED, Alarm.TAMPERED)


def test_one_witness_is_counted_once_however_many_lines_it_adds() -> None:
    log, witness = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    checkpoint = Checkpoint(ORIGIN, 3, hashlib.sha256(b"r").digest())
    lines = [cosign(checkpoint.text, "w.example", witness, 1_800_000_000 - n) for n in (0, 1)]
    note = sign_checkpoint(checkpoint, log).with_signatures(lines)
    same_key_two_names = (
        Verifier.of("w.example", SignatureType.COSIGNATURE_V1, witness.public_key()),
        Verifier.of("w2.example", SignatureType.COSIGNATURE_V1, witness.public_key()),
    )
    policy = Policy(
        Verifier.of(ORIGIN, SignatureType.ED25519, log.public_key()), same_key_two_names, 2
    )
    with pytest.raises(NoteError, match="1 valid witness cosignatures, the policy requires 2"):
        policy.check(note.encode(), 1_800_000_000)


def test_a_cosignature_time_beyond_2_63_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    line = cosign(Checkpoint(ORIGIN, 0, EMPTY_ROOT).text, "w.example", key, 1)
    forged = type(line)(line.name, line.key_id, (2**63).to_bytes(8, "big") + line.signature[8:])
    witness = Verifier.of("w.example", SignatureType.COSIGNATURE_V1, key.public_key())
    with pytest.raises(NoteError, match="out of range"):
        witness.verifies(Checkpoint(ORIGIN, 0, EMPTY_ROOT).text, forged)


def test_409_carries_exactly_text_x_tlog_size(
    witnessed: Runtime, witness_client: TestClient
) -> None:
    _append(witnessed, 4)
    assert all(r.cosigned for r in witnessed.witnessing.submit())
    with witnessed.sessions.begin() as session:
        note = witnessed.signer.checkpoint_of(witnessed.signer.current(session))
    answer = witness_client.post(
        "/add-checkpoint", content=format_add_checkpoint(AddCheckpoint(0, (), note.encode()))
    )
    assert (answer.status_code, answer.text) == (409, "4\n")
    assert answer.headers["content-type"] == "text/x.tlog.size"


def test_monitors_read_the_witnesses_latest_cosigned_checkpoint(
    witnessed: Runtime, witnesses: list[Running], witness_client: TestClient
) -> None:
    origin_hash = hashlib.sha256(ORIGIN.encode()).hexdigest()
    assert witness_client.get(f"/{origin_hash}/checkpoint").status_code == 404
    _append(witnessed, 6)
    witnessed.witnessing.submit()
    answer = witness_client.get(f"/{origin_hash}/checkpoint")
    assert answer.status_code == 200
    policy = Policy(witnessed.signer.verifier, (parse_vkey(witnesses[0].vkey),), quorum=1)
    assert policy.check(answer.content, int(witnessed.now().timestamp())).checkpoint.size == 6
    assert witness_client.get("/" + "0" * 64 + "/checkpoint").status_code == 404


def test_only_forks_are_kept_as_evidence_and_bodies_are_capped(
    witnessed: Runtime, witnesses: list[Running], witness_client: TestClient
) -> None:
    forged = sign_checkpoint(Checkpoint(ORIGIN, 1, bytes(32)), Ed25519PrivateKey.generate())
    body = format_add_checkpoint(AddCheckpoint(0, (), forged.encode()))
    for _ in range(3):
        assert witness_client.post("/add-checkpoint", content=body).status_code == 403
    assert witnesses[0].witness.store.refusals(ORIGIN) == []

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 4096

    assert witness_client.post("/add-checkpoint", content=chunks()).status_code == 413


def test_one_witnesss_nonsense_does_not_stop_the_round(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    real = witnessed.witnessing

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        if url.startswith("http://nonsense"):
            return 409, "text/x.tlog.size", "\u00b2\n".encode()  # a digit to isdigit(), not int
        return real._post(url, body)

    nonsense = WitnessEndpoint("http://nonsense.invalid", parse_vkey(witnesses[0].vkey))
    both = Witnessing(witnessed.signer, witnessed.sessions, [nonsense, *real.witnesses], post)
    _append(witnessed, 3)
    first, *rest = both.submit()
    assert first.alarm is Alarm.UNREACHABLE
    assert all(r.cosigned for r in rest)


def test_the_quorum_is_judged_on_the_largest_witnessed_checkpoint(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    _append(witnessed, 8)
    assert all(r.cosigned for r in witnessed.witnessing.submit())
    _append(witnessed, 1)  # an honest log, grown since the witnesses were last asked
    policy = Policy(witnessed.signer.verifier, tuple(parse_vkey(w.vkey) for w in witnesses), 2, 600)
    with witnessed.sessions.begin() as session:
        assert (
            explain_policy(session, witnessed.signer, policy, int(witnessed.now().timestamp()))
            is None
        )
