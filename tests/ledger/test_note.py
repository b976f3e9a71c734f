"""Signed notes against the C2SP specification's own example, and the ways a note is refused."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from databorder.ledger.note import (
    Note,
    NoteError,
    SignatureType,
    Verifier,
    cosign,
    parse_note,
    parse_vkey,
    sign,
    verify_note,
)

# The example in c2sp.org/signed-note: a vkey and a note it verifies.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mF"
    "XmRKuwHjG1Yu72IneyaQM=\n"
).encode()


def test_the_specifications_example_verifies() -> None:
    verifier = parse_vkey(SPEC_VKEY)
    note = parse_note(SPEC_NOTE)
    assert note.text == "This is an example message.\n"
    assert verifier.vkey == SPEC_VKEY
    assert [s.name for s in verify_note(note, [verifier])] == ["example.com/foo"]
    assert note.encode() == SPEC_NOTE


def test_a_changed_text_fails_under_a_known_key() -> None:
    tampered = SPEC_NOTE.replace(b"example message", b"example massage")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(parse_note(tampered), [parse_vkey(SPEC_VKEY)])


def test_signatures_by_unknown_keys_are_ignored_but_one_is_required() -> None:
    key = Ed25519PrivateKey.generate()
    other = Verifier.of("example.com/other", SignatureType.ED25519, key.public_key())
    note = parse_note(SPEC_NOTE)
    with pytest.raises(NoteError, match="no signature by a known key"):
        verify_note(note, [other])
    # Same name, another key: its id differs, so the line is not this verifier's.
    impostor = Verifier.of("example.com/foo", SignatureType.ED25519, key.public_key())
    with pytest.raises(NoteError, match="no signature by a known key"):
        verify_note(note, [impostor])


def test_a_note_signed_here_verifies_and_gains_a_cosignature() -> None:
    log_key, witness_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    text = "log.example/1\n3\n" + base64.b64encode(bytes(32)).decode() + "\n"
    note = Note(text, (sign(text, "log.example/1", log_key),))
    cosigned = note.with_signatures([cosign(text, "witness.example/w", witness_key, 1_700_000_000)])
    witness = Verifier.of(
        "witness.example/w", SignatureType.COSIGNATURE_V1, witness_key.public_key()
    )
    log = Verifier.of("log.example/1", SignatureType.ED25519, log_key.public_key())
    reread = parse_note(cosigned.encode())
    [countersigned] = verify_note(reread, [witness])
    assert countersigned.timestamp == 1_700_000_000
    assert len(verify_note(reread, [log, witness])) == 2
    assert parse_vkey(witness.vkey) == witness


def test_a_cosignature_binds_its_time() -> None:
    key = Ed25519PrivateKey.generate()
    text = "log.example/1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    line = cosign(text, "w.example", key, 1_700_000_000)
    moved = type(line)(
        line.name, line.key_id, (1_700_000_001).to_bytes(8, "big") + line.signature[8:]
    )
    witness = Verifier.of("w.example", SignatureType.COSIGNATURE_V1, key.public_key())
    assert witness.verifies(text, line)
    assert not witness.verifies(text, moved)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"no blank line\n\xe2\x80\x94 a AAAAAAA=\n", "no blank line"),
        (b"text\n\n", "no signature lines"),
        (b"text\n\n- a AAAAAAA=\n", "em dash"),
        (b"text\n\n\xe2\x80\x94 a !!!\n", "base64"),
        (b"text\n\n\xe2\x80\x94 a AAAA\n", "4-byte key id"),
        (b"te\x07xt\n\n\xe2\x80\x94 a AAAAAAA=\n", "control characters"),
        (b"\xff\n\n\xe2\x80\x94 a AAAAAAA=\n", "UTF-8"),
        (b"text\n\n\xe2\x80\x94 a+b AAAAAAA=\n", "key name"),
        (b"text\n\n\xe2\x80\x94 a AAAAAAA=", "newline"),
    ],
)
def test_malformed_notes_are_refused_with_their_reason(data: bytes, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        parse_note(data)


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        ("example.com/foo+530d903a", "<name>"),
        ("example.com/foo+00000000+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "does not match"),
        ("example.com/foo+530d903a+AgkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "not supported"),
        ("example.com/foo+530d903a+AekyeRrm", "32 bytes"),
    ],
)
def test_malformed_vkeys_are_refused(vkey: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        parse_vkey(vkey)
