"""Signed notes (C2SP `signed-note`): text, a blank line, then one `— <name> <base64>` line per key.

The log's checkpoints and the witnesses' cosignatures are notes, so anyone holding the log's or a
witness's verifier key (`vkey`) can check them with SHA-256 and Ed25519 alone. A signature line
names its key twice, by name and by a 4-byte key id; a verifier knows keys by both and ignores a
line that matches only one of them (the specification's rule: an unknown key is not an error,
which is what lets witnesses add their cosignatures to the log's note).

Two signature types are understood, each with its own signed message:
- `0x01` Ed25519 over the note text (the log's own signature);
- `0x04` timestamped Ed25519 cosignatures (`tlog-cosignature`): the signature is an 8-byte
  big-endian POSIX time then 64 bytes, over `cosignature/v1\\ntime <t>\\n` and the note text.

Pure: bytes and keys in, values or a `NoteError` saying what was expected and what came out.
"""

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "MAX_SIGNATURES",
    "Note",
    "NoteError",
    "NoteSignature",
    "SignatureType",
    "Verifier",
    "b64",
    "cosign",
    "key_id",
    "parse_note",
    "parse_vkey",
    "sign",
    "unb64",
    "verify_note",
]

EM_DASH = "\u2014"
MAX_SIGNATURES = 64  # the specification asks verifiers to accept at least 16
_ED25519_SIGNATURE = 64
_COSIGNATURE_HEADER = b"cosignature/v1\n"
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")
_SPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000+]")


class NoteError(ValueError):
    """A note, a key or a signature that does not follow the specification, or does not verify."""


class SignatureType(IntEnum):
    ED25519 = 0x01
    COSIGNATURE_V1 = 0x04


def b64(data: bytes) -> str:
    """Standard base64 (RFC 4648 section 4), as every C2SP text format writes bytes."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    """Strict standard base64; NoteError naming `what` when it is not."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"{what} is not standard base64: {text[:40]!r}") from error


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def check_key_name(name: str) -> str:
    """Key names are non-empty with no Unicode space and no `+` (they are a vkey's first field)."""
    if not name or _SPACE.search(name) or _CONTROL.search(name):
        raise NoteError(f"key name must be non-empty with no spaces or '+', got {name!r}")
    return name


def key_id(name: str, kind: SignatureType, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4], the specification's key id."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: the key's name, its 4-byte id and the signature bytes after the id."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{EM_DASH} {self.name} {b64(self.key_id + self.signature)}\n"

    @property
    def timestamp(self) -> int:
        """A cosignature's POSIX time (its first 8 bytes); only meaningful for type 0x04."""
        return int(struct.unpack(">Q", self.signature[:8])[0])


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text (ending in a newline) and its signature lines, in order."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def encode(self) -> bytes:
        return (self.text + "\n" + "".join(s.line() for s in self.signatures)).encode()

    def with_signatures(self, more: Iterable[NoteSignature]) -> "Note":
        """The same text with `more` lines appended, skipping lines already present."""
        kept = list(self.signatures)
        for signature in more:
            if signature not in kept:
                kept.append(signature)
        return Note(self.text, tuple(kept))


def check_text(text: str) -> str:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if _CONTROL.search(text):
        raise NoteError("note text must not contain control characters other than newline")
    return text


def parse_signature_line(line: str) -> NoteSignature:
    """`— <name> <base64(key id || signature)>` without its newline."""
    if not line.startswith(EM_DASH + " "):
        raise NoteError(f"signature line must start with an em dash and a space, got {line[:20]!r}")
    parts = line[2:].split(" ")
    if len(parts) != 2:
        raise NoteError(f"signature line must be '— <name> <signature>', got {line[:60]!r}")
    name, encoded = parts
    raw = unb64(encoded, "signature")
    if len(raw) < 5:
        raise NoteError(f"signature must be a 4-byte key id and a signature, got {len(raw)} bytes")
    return NoteSignature(check_key_name(name), raw[:4], raw[4:])


def parse_signature_lines(block: str) -> tuple[NoteSignature, ...]:
    """Newline-terminated signature lines (a note's tail, or a witness's answer)."""
    if not block.endswith("\n"):
        raise NoteError("signature lines must each end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"at most {MAX_SIGNATURES} signatures are read, got {len(lines)}")
    return tuple(parse_signature_line(line) for line in lines)


def parse_note(data: bytes) -> Note:
    """Split a note at its last blank line; raises NoteError naming what is malformed."""
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NoteError(f"note is not valid UTF-8 at byte {error.start}") from error
    if _CONTROL.search(decoded):
        raise NoteError("note must not contain control characters other than newline")
    split = decoded.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line between its text and its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block:
        raise NoteError("note has no signature lines")
    return Note(text, parse_signature_lines(block))


@dataclass(frozen=True, slots=True)
class Verifier:
    """A known key: its name, type and Ed25519 public key; the id follows from them."""

    name: str
    kind: SignatureType
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError(f"Ed25519 public key must be 32 bytes, got {len(self.public_key)}")

    @classmethod
    def of(cls, name: str, kind: SignatureType, key: Ed25519PublicKey) -> "Verifier":
        return cls(name, kind, _raw(key))

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public_key)

    @property
    def vkey(self) -> str:
        """`<name>+<hex key id>+<base64(type || public key)>`, the key as people pass it on."""
        return f"{self.name}+{self.key_id.hex()}+{b64(bytes([self.kind]) + self.public_key)}"

    def matches(self, signature: NoteSignature) -> bool:
        return signature.name == self.name and signature.key_id == self.key_id

    def message(self, text: str, signature: NoteSignature) -> tuple[bytes, bytes]:
        """The bytes this key signed for `text`, and the Ed25519 signature over them."""
        body = text.encode()
        if self.kind is SignatureType.COSIGNATURE_V1:
            if len(signature.signature) != 8 + _ED25519_SIGNATURE:
                raise NoteError(
                    f"cosignature must be 72 bytes (time and signature), "
                    f"got {len(signature.signature)}"
                )
            if not 0 < signature.timestamp < 2**63:  # tlog-cosignature: never above 2**63 - 1
                raise NoteError(f"cosignature time {signature.timestamp} is out of range")
            header = _COSIGNATURE_HEADER + f"time {signature.timestamp}\n".encode()
            return header + body, signature.signature[8:]
        if len(signature.signature) != _ED25519_SIGNATURE:
            raise NoteError(f"Ed25519 signature must be 64 bytes, got {len(signature.signature)}")
        return body, signature.signature

    def verifies(self, text: str, signature: NoteSignature) -> bool:
        message, raw = self.message(text, signature)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(raw, message)
        except InvalidSignature:
            return False
        return True


def parse_vkey(vkey: str) -> Verifier:
    """Read a verifier key; its stated id must be the one its name, type and key give."""
    parts = vkey.strip().split("+", 2)  # base64 may itself hold "+"
    if len(parts) != 3:
        raise NoteError(f"vkey must be '<name>+<hex id>+<base64 key>', got {vkey[:60]!r}")
    name, hex_id, encoded = parts
    raw = unb64(encoded, "vkey key")
    if not raw:
        raise NoteError("vkey has no key material")
    try:
        kind = SignatureType(raw[0])
    except ValueError as error:
        raise NoteError(f"vkey signature type 0x{raw[0]:02x} is not supported") from error
    verifier = Verifier(name, kind, raw[1:])
    if hex_id != verifier.key_id.hex():
        raise NoteError(
            f"vkey key id {hex_id!r} does not match its key: expected {verifier.key_id.hex()!r}"
        )
    return verifier


def verify_note(note: Note, verifiers: Sequence[Verifier]) -> tuple[NoteSignature, ...]:
    """The signatures of `verifiers` that verify; a known key's bad signature rejects the note.

    Raises NoteError when no known key signed it or when one known key's signature fails: the
    specification lets a client reject the whole note then, and a log or a witness must.
    """
    good: list[NoteSignature] = []
    for signature in note.signatures:
        for verifier in verifiers:
            if verifier.matches(signature):
                if not verifier.verifies(note.text, signature):
                    raise NoteError(f"signature by {signature.name} does not verify")
                good.append(signature)
    if not good:
        raise NoteError("no signature by a known key")
    return tuple(good)


def sign(text: str, name: str, key: Ed25519PrivateKey) -> NoteSignature:
    """The log's own signature line (type 0x01) over `text`."""
    check_text(text)
    public = _raw(key.public_key())
    return NoteSignature(name, key_id(name, SignatureType.ED25519, public), key.sign(text.encode()))


def cosign(text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> NoteSignature:
    """A witness's timestamped cosignature (type 0x04) over a checkpoint's text."""
    check_text(text)
    if not 0 < timestamp < 2**63:
        raise NoteError(f"cosignature time must be a positive POSIX time, got {timestamp}")
    public = _raw(key.public_key())
    message = _COSIGNATURE_HEADER + f"time {timestamp}\n".encode() + text.encode()
    return NoteSignature(
        name,
        key_id(name, SignatureType.COSIGNATURE_V1, public),
        struct.pack(">Q", timestamp) + key.sign(message),
    )
