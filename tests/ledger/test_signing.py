"""Signing key files fail closed; heads verify and any altered field breaks the signature."""

import base64
import dataclasses
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ledger_factories import fill
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger import merkle
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import (
    HeadSigner,
    KeyFileError,
    SignedHead,
    create_signing_key,
    ensure_signing_key,
    explain_head,
    format_timestamp,
    key_id,
    load_signing_key,
    public_key_json,
    sign_head,
    verify_head,
)

AT = datetime(2026, 11, 23, 19, 0, 0, 987654, tzinfo=UTC)


def test_a_new_key_file_is_owner_only_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "log-signing.key"
    key = create_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id(load_signing_key(path).public_key()) == key_id(key.public_key())


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "log-signing.key"
    assert ensure_signing_key(path) is True
    before = path.read_bytes()
    assert ensure_signing_key(path) is False
    with pytest.raises(KeyFileError, match="exists already; refusing to overwrite a key"):
        create_signing_key(path)
    assert path.read_bytes() == before


def test_a_missing_key_file_refuses_to_load(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match=r"log-signing.key is missing; run `databorder init`"):
        load_signing_key(tmp_path / "log-signing.key")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_key_file_others_can_read_refuses_to_load(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "log-signing.key"
    create_signing_key(path)
    os.chmod(path, mode)
    with pytest.raises(KeyFileError, match=r"accessible to other users .* expected owner-only"):
        load_signing_key(path)


def test_a_malformed_key_file_refuses_to_load(tmp_path: Path) -> None:
    path = tmp_path / "log-signing.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, base64.b64encode(b"short") + b"\n")
    os.close(fd)
    with pytest.raises(KeyFileError, match="holds 5 bytes, expected 32"):
        load_signing_key(path)


def test_the_key_id_is_the_sha256_of_the_raw_public_key() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    published = public_key_json(key.public_key())
    raw = base64.b64decode(published["public_key"])
    import hashlib  # noqa: PLC0415

    assert published["key_id"] == hashlib.sha256(raw).hexdigest()
    assert published["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert published["algorithm"] == "Ed25519"


def test_the_signed_bytes_are_the_canonical_json_of_the_four_fields() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    head = sign_head(key, 3, merkle.EMPTY_ROOT, AT)
    assert (
        head.signed_bytes()
        == (
            '{"key_id":"'
            + key_id(key.public_key())
            + '","root_hash":"'
            + merkle.EMPTY_ROOT.hex()
            + '",'
            '"timestamp":"2026-11-23T19:00:00.987Z","tree_size":3}'
        ).encode()
    )
    assert head.to_json()["timestamp"] == "2026-11-23T19:00:00.987Z"
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000Z"


def test_a_head_verifies_and_survives_a_json_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    head = sign_head(key, 7, b"\x11" * 32, AT)
    assert verify_head(head, key.public_key())
    again = SignedHead.from_json(head.to_json())
    assert again == head
    assert verify_head(again, key.public_key())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tree_size", 8),
        ("root_hash", b"\x12" + b"\x11" * 31),
        ("timestamp", datetime(2026, 11, 23, 19, 0, 1, tzinfo=UTC)),
        ("signature", b"\x00" * 64),
    ],
)
def test_an_altered_head_fails_verification(field: str, value: object) -> None:
    key = Ed25519PrivateKey.generate()
    head = dataclasses.replace(sign_head(key, 7, b"\x11" * 32, AT), **{field: value})
    assert not verify_head(head, key.public_key())
    assert explain_head(head, key.public_key()) == (
        f"head signature does not verify under key {key_id(key.public_key())}"
    )


def test_a_head_signed_by_another_key_says_which_key() -> None:
    ours, theirs = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    head = sign_head(theirs, 1, b"\x11" * 32, AT)
    assert explain_head(head, ours.public_key()) == (
        f"head is signed by key {key_id(theirs.public_key())}, expected key {key_id(ours.public_key())}"
    )


def test_a_malformed_head_document_names_the_problem() -> None:
    with pytest.raises(ValueError, match="signed tree head is malformed: KeyError"):
        SignedHead.from_json({"tree_size": 1})
    head = sign_head(Ed25519PrivateKey.generate(), 1, b"\x11" * 32, AT).to_json()
    with pytest.raises(ValueError, match="tree_size must be an integer >= 0, got -1"):
        SignedHead.from_json({**head, "tree_size": -1})


def test_heads_are_stored_and_signed_again_only_when_the_log_grew(
    sessions: sessionmaker[Session], log: StoredLog, signer: HeadSigner
) -> None:
    with sessions.begin() as session:
        assert signer.latest(session) is None
        empty = signer.current(session)
    assert empty.tree_size == 0
    assert empty.root_hash == merkle.EMPTY_ROOT
    datas = fill(sessions, log, 9)
    with sessions.begin() as session:
        head = signer.current(session)
        assert signer.current(session) == head
        assert signer.latest(session) == head
    assert head.tree_size == 9
    assert head.root_hash == merkle.root_hash([merkle.leaf_hash(d) for d in datas])
    assert verify_head(head, signer.public_key)
