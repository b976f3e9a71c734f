"""Checkpoints in the C2SP format, and the client policy that decides whether to trust one."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from databorder.ledger.checkpoint import Checkpoint, Policy, parse_body, sign_checkpoint
from databorder.ledger.merkle import EMPTY_ROOT
from databorder.ledger.note import NoteError, SignatureType, Verifier, cosign

ORIGIN = "databorder.example/log"
ROOT = hashlib.sha256(b"root").digest()
NOW = 1_800_000_000


def test_the_text_is_origin_size_and_base64_root() -> None:
    checkpoint = Checkpoint(ORIGIN, 20852163, ROOT)
    assert checkpoint.text == f"{ORIGIN}\n20852163\n{base64.b64encode(ROOT).decode()}\n"
    assert parse_body(checkpoint.text) == checkpoint


def test_the_specifications_example_body_reads() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = parse_body(text)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert checkpoint.text == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"{ORIGIN}\n012\n{base64.b64encode(ROOT).decode()}\n", "leading zeroes"),
        (f"{ORIGIN}\n12\n", "origin, size and root"),
        (f"{ORIGIN}\n12\nnot base64!\n", "base64"),
        (f"{ORIGIN}\n12\n{base64.b64encode(b'short').decode()}\n", "32 bytes"),
        (f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}", "newline"),
        (f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\n\n", "non-empty"),
    ],
)
def test_malformed_checkpoints_are_refused(text: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        parse_body(text)


def _keys(count: int) -> tuple[Ed25519PrivateKey, list[Ed25519PrivateKey], Policy]:
    log = Ed25519PrivateKey.generate()
    witnesses = [Ed25519PrivateKey.generate() for _ in range(count)]
    policy = Policy(
        Verifier.of(ORIGIN, SignatureType.ED25519, log.public_key()),
        tuple(
            Verifier.of(f"w{n}.example", SignatureType.COSIGNATURE_V1, k.public_key())
            for n, k in enumerate(witnesses)
        ),
        quorum=2,
        max_age=3600,
    )
    return log, witnesses, policy


def test_a_checkpoint_with_a_quorum_of_fresh_cosignatures_is_trusted() -> None:
    log, witnesses, policy = _keys(3)
    checkpoint = Checkpoint(ORIGIN, 5, ROOT)
    note = sign_checkpoint(checkpoint, log).with_signatures(
        cosign(checkpoint.text, f"w{n}.example", k, NOW - 60) for n, k in enumerate(witnesses[:2])
    )
    trusted = policy.check(note.encode(), NOW)
    assert trusted.checkpoint == checkpoint
    assert [s.name for s in trusted.cosignatures] == ["w0.example", "w1.example"]


def test_fewer_cosignatures_than_the_quorum_are_refused() -> None:
    log, witnesses, policy = _keys(3)
    checkpoint = Checkpoint(ORIGIN, 5, ROOT)
    note = sign_checkpoint(checkpoint, log).with_signatures(
        [cosign(checkpoint.text, "w0.example", witnesses[0], NOW)]
    )
    with pytest.raises(NoteError, match="1 valid witness cosignatures, the policy requires 2"):
        policy.check(note.encode(), NOW)


def test_stale_cosignatures_do_not_count() -> None:
    log, witnesses, policy = _keys(2)
    checkpoint = Checkpoint(ORIGIN, 5, ROOT)
    note = sign_checkpoint(checkpoint, log).with_signatures(
        [
            cosign(checkpoint.text, "w0.example", witnesses[0], NOW),
            cosign(checkpoint.text, "w1.example", witnesses[1], NOW - 3601),
        ]
    )
    with pytest.raises(NoteError, match="1 valid witness"):
        policy.check(note.encode(), NOW)


def test_a_checkpoint_not_signed_by_the_log_is_refused_whatever_its_cosignatures() -> None:
    _, witnesses, policy = _keys(2)
    forger = Ed25519PrivateKey.generate()
    checkpoint = Checkpoint(ORIGIN, 5, ROOT)
    note = sign_checkpoint(checkpoint, forger).with_signatures(
        cosign(checkpoint.text, f"w{n}.example", k, NOW) for n, k in enumerate(witnesses)
    )
    with pytest.raises(NoteError, match="no signature by a known key"):
        policy.check(note.encode(), NOW)


def test_another_logs_checkpoint_is_refused() -> None:
    log, _, policy = _keys(2)
    note = sign_checkpoint(Checkpoint("other.example/log", 0, EMPTY_ROOT), log)
    with pytest.raises(NoteError, match="is not the log's"):
        policy.check(note.encode(), NOW)


def test_an_empty_tree_with_another_root_is_refused() -> None:
    log, _, policy = _keys(2)
    note = sign_checkpoint(Checkpoint(ORIGIN, 0, ROOT), log)
    with pytest.raises(NoteError, match="empty tree's root"):
        Policy(policy.log).check(note.encode(), NOW)
    assert Policy(policy.log).check(
        sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), log).encode(), NOW
    )


def test_a_quorum_larger_than_the_witnesses_is_a_configuration_error() -> None:
    log = Ed25519PrivateKey.generate()
    with pytest.raises(NoteError, match="quorum must be between 0 and the 0 witnesses"):
        Policy(Verifier.of(ORIGIN, SignatureType.ED25519, log.public_key()), (), quorum=1)
