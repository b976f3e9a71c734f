"""Checkpoints (C2SP `tlog-checkpoint`): the log's size and root as a signed note anyone can keep.

The JSON head (`signing.SignedHead`) stays for existing callers; a checkpoint states the same
tree in the format the transparency-log ecosystem shares, so a witness that never heard of
databorder can cosign it and a buyer can keep one to hold the log to later:

    <origin>
    <size>
    <base64 root>

The origin names the log (`DATABORDER_LOG_ORIGIN`); it is also the log key's name. A client
decides whether to trust a checkpoint by a `Policy`: the log's key must sign it, and at least
`quorum` of the configured witnesses must have cosigned it within `max_age` seconds.

Pure: no clock (the caller passes `now`), no I/O.
"""

import re
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from databorder.ledger.merkle import EMPTY_ROOT, HASH_SIZE
from databorder.ledger.note import (
    Note,
    NoteError,
    NoteSignature,
    SignatureType,
    Verifier,
    b64,
    parse_note,
    sign,
    unb64,
    verify_note,
)

__all__ = ["Checkpoint", "Policy", "TrustedCheckpoint", "parse_checkpoint", "sign_checkpoint"]

MAX_CLOCK_SKEW = 300  # seconds a cosignature's time may be ahead of the verifier's clock

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree's origin, size and root hash (the note text, without signatures)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # tlog-checkpoint: clients MUST NOT assume an origin follows the recommended format;
        # this log's own origin is held to the key-name rules where it is configured.
        if not self.origin or "\n" in self.origin:
            raise NoteError("checkpoint origin must be a non-empty line")
        if self.size < 0:
            raise NoteError(f"checkpoint size must not be negative, got {self.size}")
        if len(self.root) != HASH_SIZE:
            raise NoteError(f"checkpoint root must be {HASH_SIZE} bytes, got {len(self.root)}")
        if any(not line or "\n" in line for line in self.extensions):
            raise NoteError("checkpoint extension lines must be non-empty single lines")

    @property
    def text(self) -> str:
        lines = [
            self.origin,
            str(self.size),
            b64(self.root),
            *self.extensions,
        ]
        return "\n".join(lines) + "\n"


def parse_body(text: str) -> Checkpoint:
    """Read a checkpoint's note text; raises NoteError saying which line is wrong."""
    if not text.endswith("\n"):
        raise NoteError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError(f"checkpoint needs origin, size and root lines, got {len(lines)} lines")
    origin, size, root, *extensions = lines
    if not _DECIMAL.fullmatch(size):
        raise NoteError(f"checkpoint size must be a decimal with no leading zeroes, got {size!r}")
    return Checkpoint(origin, int(size), unb64(root, "checkpoint root"), tuple(extensions))


def parse_checkpoint(data: bytes) -> tuple[Checkpoint, Note]:
    """A signed checkpoint's tree and its note (signatures not yet checked)."""
    note = parse_note(data)
    return parse_body(note.text), note


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Note:
    """The checkpoint signed by the log's key under the origin's name."""
    return Note(checkpoint.text, (sign(checkpoint.text, checkpoint.origin, key),))


@dataclass(frozen=True, slots=True)
class TrustedCheckpoint:
    """A checkpoint that met a policy, with the cosignatures that counted."""

    checkpoint: Checkpoint
    note: Note
    cosignatures: tuple[NoteSignature, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    """What a client requires: the log's key, and `quorum` of `witnesses` no older than `max_age`.

    A quorum of 0 trusts the log's signature alone (today's behaviour without witnesses); a
    `max_age` of None accepts cosignatures of any age.
    """

    log: Verifier
    witnesses: tuple[Verifier, ...] = field(default=())
    quorum: int = 0
    max_age: int | None = None

    def __post_init__(self) -> None:
        if self.log.kind is not SignatureType.ED25519:
            raise NoteError("the log's key must be an Ed25519 note key (type 0x01)")
        if any(w.kind is not SignatureType.COSIGNATURE_V1 for w in self.witnesses):
            raise NoteError("witness keys must be cosignature keys (type 0x04)")
        if not 0 <= self.quorum <= len(self.witnesses):
            raise NoteError(
                f"quorum must be between 0 and the {len(self.witnesses)} witnesses, "
                f"got {self.quorum}"
            )

    def check(self, data: bytes, now: int) -> TrustedCheckpoint:
        """Parse and judge a signed checkpoint at POSIX time `now`; raises NoteError if refused."""
        checkpoint, note = parse_checkpoint(data)
        if checkpoint.origin != self.log.name:
            raise NoteError(
                f"checkpoint origin {checkpoint.origin!r} is not the log's {self.log.name!r}"
            )
        verify_note(note, [self.log])
        if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
            raise NoteError("a checkpoint of size 0 must carry the empty tree's root")
        counted = self._cosignatures(note, now)
        if len(counted) < self.quorum:
            raise NoteError(
                f"checkpoint has {len(counted)} valid witness cosignatures, "
                f"the policy requires {self.quorum}"
            )
        return TrustedCheckpoint(checkpoint, note, counted)

    def _cosignatures(self, note: Note, now: int) -> tuple[NoteSignature, ...]:
        """One valid, fresh cosignature per witness key. Keyed by the public key, not the name:
        an Ed25519 cosignature does not commit to its name, so one key listed under two names
        is one witness."""
        counted: dict[bytes, NoteSignature] = {}
        for witness in self.witnesses:
            for signature in (s for s in note.signatures if witness.matches(s)):
                if not witness.verifies(note.text, signature):
                    raise NoteError(f"cosignature by {witness.name} does not verify")
                if signature.timestamp > now + MAX_CLOCK_SKEW:
                    continue  # dated in the future: not a statement about now
                if self.max_age is not None and now - signature.timestamp > self.max_age:
                    continue
                counted.setdefault(witness.public_key, signature)
        return tuple(counted.values())
