"""The witness's judgement of add-checkpoint requests, answer by answer as C2SP tlog-witness asks."""

from collections.abc import Sequence

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from databorder.ledger.checkpoint import Checkpoint, sign_checkpoint
from databorder.ledger.merkle import EMPTY_ROOT, consistency_proof, leaf_hash, root_hash
from databorder.ledger.note import SignatureType, Verifier, parse_note, verify_note
from databorder.witness.protocol import (
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    Answer,
    Remembered,
    format_add_checkpoint,
    judge,
    parse_add_checkpoint,
)

ORIGIN = "log.example/databorder"
LOG_KEY = Ed25519PrivateKey.generate()
WITNESS_KEY = Ed25519PrivateKey.generate()
LOGS = {ORIGIN: [Verifier.of(ORIGIN, SignatureType.ED25519, LOG_KEY.public_key())]}
NOW = 1_800_000_000


def _leaves(n: int, salt: str = "") -> list[bytes]:
    return [leaf_hash(f"{salt}{i}".encode()) for i in range(n)]


def _body(
    old: int,
    leaves: Sequence[bytes],
    *,
    key: Ed25519PrivateKey = LOG_KEY,
    proof: Sequence[bytes] | None = None,
) -> bytes:
    checkpoint = Checkpoint(ORIGIN, len(leaves), root_hash(list(leaves)))
    if proof is None:
        proof = consistency_proof(old, list(leaves)) if 0 < old < len(leaves) else []
    note = sign_checkpoint(checkpoint, key)
    return format_add_checkpoint(AddCheckpoint(old, tuple(proof), note.encode()))


def _judge(body: bytes, remembered: Remembered | None) -> Answer:
    return judge(body, LOGS, remembered, "witness.example/w1", WITNESS_KEY, NOW)


def _state(leaves: Sequence[bytes]) -> Remembered:
    return Remembered(len(leaves), root_hash(list(leaves)))


def test_the_first_checkpoint_is_cosigned_and_remembered() -> None:
    leaves = _leaves(10)
    answer = _judge(_body(0, leaves), None)
    assert answer.status == 200
    assert answer.remember == _state(leaves)
    checkpoint_text = Checkpoint(ORIGIN, 10, root_hash(leaves)).text
    witness = Verifier.of(
        "witness.example/w1", SignatureType.COSIGNATURE_V1, WITNESS_KEY.public_key()
    )
    [cosignature] = verify_note(parse_note(f"{checkpoint_text}\n{answer.body}".encode()), [witness])
    assert cosignature.timestamp == NOW


def test_a_consistent_extension_is_cosigned() -> None:
    leaves = _leaves(300)
    answer = _judge(_body(123, leaves), _state(leaves[:123]))
    assert (answer.status, answer.remember) == (200, _state(leaves))


def test_the_same_checkpoint_again_is_cosigned_again() -> None:
    leaves = _leaves(7)
    assert _judge(_body(7, leaves), _state(leaves)).status == 200


def test_an_old_size_other_than_the_remembered_one_answers_409_with_that_size() -> None:
    leaves = _leaves(20)
    answer = _judge(_body(5, leaves), _state(leaves[:12]))
    assert (answer.status, answer.body, answer.content_type) == (409, "12\n", SIZE_CONTENT_TYPE)
    assert answer.remember is None
    assert _judge(_body(5, leaves), None).body == "0\n"


def test_a_rollback_is_not_cosigned() -> None:
    # The witness saw 10 leaves; the log dropped the last 3 and appended 2 others.
    seen = _leaves(10)
    rewritten = seen[:7] + _leaves(2, salt="other")
    assert _judge(_body(10, rewritten, proof=[]), _state(seen)).status == 400  # old above size
    assert _judge(_body(7, rewritten), _state(seen)).status == 409
    # Claiming the old size with a proof from the truncated tree fails the consistency check.
    grown = seen[:7] + _leaves(5, salt="other")
    forged = consistency_proof(10, grown)
    assert _judge(_body(10, grown, proof=forged), _state(seen)).status == 422


def test_a_fork_at_the_same_size_answers_422() -> None:
    answer = _judge(_body(10, _leaves(10, salt="fork")), _state(_leaves(10)))
    assert answer.status == 422
    assert "another root" in answer.body


def test_a_wrong_proof_answers_422_with_the_reason() -> None:
    leaves = _leaves(50)
    proof = consistency_proof(20, leaves)
    proof[0] = bytes(32)
    answer = _judge(_body(20, leaves, proof=proof), _state(leaves[:20]))
    assert answer.status == 422
    assert "consistency proof does not verify" in answer.body


def test_a_proof_from_size_zero_answers_422() -> None:
    assert _judge(_body(0, _leaves(4), proof=[bytes(32)]), None).status == 422


def test_an_empty_checkpoint_must_carry_the_empty_root() -> None:
    empty = sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32)), LOG_KEY)
    body = format_add_checkpoint(AddCheckpoint(0, (), empty.encode()))
    assert _judge(body, None).status == 422
    good = sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), LOG_KEY)
    assert _judge(format_add_checkpoint(AddCheckpoint(0, (), good.encode())), None).status == 200


def test_an_unknown_origin_answers_404_and_a_foreign_signature_403() -> None:
    other = sign_checkpoint(Checkpoint("other.example/log", 1, leaf_hash(b"x")), LOG_KEY)
    assert _judge(format_add_checkpoint(AddCheckpoint(0, (), other.encode())), None).status == 404
    forged = _judge(_body(0, _leaves(3), key=Ed25519PrivateKey.generate()), None)
    assert forged.status == 403


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"old 1\n", "blank line"),
        (b"old 01\n\ncheckpoint", "old <size>"),
        (b"old 1\nnot base64\n\ncheckpoint", "proof line 1 is not base64"),
        (b"old 1\nAAAA\n\ncheckpoint", "must be 32 bytes"),
        (b"old 1\n" + b"".join([b"A" * 43 + b"=\n"] * 64) + b"\ncheckpoint", "at most 63"),
    ],
)
def test_malformed_requests_answer_400(body: bytes, reason: str) -> None:
    answer = _judge(body, None)
    assert answer.status == 400
    assert reason in answer.body


def test_requests_round_trip() -> None:
    request = AddCheckpoint(5, (bytes(32), bytes(range(32))), b"cp\n\n\xe2\x80\x94 x AAAAAAA=\n")
    assert parse_add_checkpoint(format_add_checkpoint(request)) == request
