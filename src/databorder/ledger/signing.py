"""Signed tree heads: the log operator's Ed25519 commitment to a tree size and root at a time.

A head is published as `{"tree_size", "root_hash" (hex), "timestamp" (RFC 3339, UTC,
milliseconds), "key_id", "signature"}`; the signature is Ed25519 over the canonical JSON of the
other four fields, so anyone can check it with the public key from `GET /v1/log/key`.

`key_id` is the lowercase hex SHA-256 of the raw 32-byte public key (all 64 characters): it
names the key so a verifier can tell which published key to use, and the signature itself is
what proves the head.

The private key lives in a key file with owner-only permissions, written and read by the same
helpers as the vault's keys: a missing file, or one other users can read, refuses to load,
so a service without its key does not start rather than publishing unsigned heads.
"""

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.ledger.canonical import canonical_json
from databorder.ledger.checkpoint import Checkpoint, sign_checkpoint
from databorder.ledger.log import StoredLog
from databorder.ledger.models import LogHead
from databorder.ledger.note import Note, SignatureType, Verifier, check_key_name
from databorder.vault.keys import KeyFileError, read_secret_file, write_secret_file

__all__ = [
    "HeadSigner",
    "KeyFileError",
    "SignedHead",
    "UnsignedHeadError",
    "create_signing_key",
    "ensure_signing_key",
    "explain_head",
    "format_timestamp",
    "key_id",
    "load_signing_key",
    "public_key_json",
    "sign_head",
    "verify_head",
]

DEFAULT_ORIGIN = "databorder.localhost/log"  # settings.log_origin's default
ED25519_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Write a new key to `path` (mode 0600); raises KeyFileError if the file exists."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    write_secret_file(path, raw)
    return key


def ensure_signing_key(path: Path) -> bool:
    """Create the key file unless it exists; True if it was created (for `databorder init`)."""
    if path.exists():
        return False
    create_signing_key(path)
    return True


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Raises KeyFileError if the file is missing, other users can read it, or it is malformed."""
    return Ed25519PrivateKey.from_private_bytes(read_secret_file(path, ED25519_KEY_BYTES))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(key)).hexdigest()


def public_key_json(key: Ed25519PublicKey) -> dict[str, str]:
    """What `GET /v1/log/key` publishes: the raw key in base64 and as PEM, and its id."""
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "algorithm": "Ed25519",
        "key_id": key_id(key),
        "public_key": base64.b64encode(_raw_public(key)).decode("ascii"),
        "public_key_pem": pem.decode("ascii"),
    }


def _milliseconds(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"head timestamp must be timezone-aware, got {at.isoformat()}")
    at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def format_timestamp(at: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and a `Z`: one spelling, since it is signed."""
    at = _milliseconds(at)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class SignedHead:
    tree_size: int
    root_hash: bytes
    timestamp: datetime
    key_id: str
    signature: bytes

    def signed_bytes(self) -> bytes:
        """Exactly the bytes the signature covers."""
        return canonical_json(
            {
                "key_id": self.key_id,
                "root_hash": self.root_hash.hex(),
                "timestamp": format_timestamp(self.timestamp),
                "tree_size": self.tree_size,
            }
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": format_timestamp(self.timestamp),
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "SignedHead":
        """Raises ValueError naming the field that is malformed."""
        try:
            tree_size = value["tree_size"]
            root = bytes.fromhex(value["root_hash"])
            timestamp = datetime.fromisoformat(value["timestamp"])
            signature = base64.b64decode(value["signature"], validate=True)
            ident = value["key_id"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"signed tree head is malformed: {exc!r}") from exc
        if not isinstance(tree_size, int) or tree_size < 0:
            raise ValueError(f"tree_size must be an integer >= 0, got {tree_size!r}")
        if timestamp.tzinfo is None:
            raise ValueError(f"timestamp must carry an offset, got {value['timestamp']!r}")
        return cls(tree_size, root, timestamp, str(ident), signature)

    @classmethod
    def from_row(cls, row: LogHead) -> "SignedHead":
        return cls(row.tree_size, row.root_hash, row.timestamp, row.key_id, row.signature)


def sign_head(key: Ed25519PrivateKey, tree_size: int, root: bytes, at: datetime) -> SignedHead:
    unsigned = SignedHead(tree_size, root, _milliseconds(at), key_id(key.public_key()), b"")
    return SignedHead(
        unsigned.tree_size,
        unsigned.root_hash,
        unsigned.timestamp,
        unsigned.key_id,
        key.sign(unsigned.signed_bytes()),
    )


def explain_head(head: SignedHead, key: Ed25519PublicKey) -> str | None:
    """Why the head does not verify under `key`, or None when it does."""
    expected = key_id(key)
    if head.key_id != expected:
        return f"head is signed by key {head.key_id}, expected key {expected}"
    if len(head.root_hash) != 32:
        return f"head root hash has wrong size: expected 32 bytes, got {len(head.root_hash)}"
    try:
        key.verify(head.signature, head.signed_bytes())
    except InvalidSignature:
        return f"head signature does not verify under key {expected}"
    return None


def verify_head(head: SignedHead, key: Ed25519PublicKey) -> bool:
    return explain_head(head, key) is None


class UnsignedHeadError(ValueError):
    """A stored head that this log's key did not sign: the database was changed."""


class HeadSigner:
    """Signs and stores tree heads of the stored log, timestamped by the runtime's clock."""

    def __init__(
        self,
        key: Ed25519PrivateKey,
        log: StoredLog,
        clock: Callable[[], datetime],
        origin: str = DEFAULT_ORIGIN,
    ) -> None:
        self._key = key
        self._log = log
        self._clock = clock
        self.origin = check_key_name(origin)

    @property
    def log(self) -> StoredLog:
        return self._log

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def latest(self, session: Session) -> SignedHead | None:
        row = session.scalars(select(LogHead).order_by(LogHead.id.desc()).limit(1)).first()
        return SignedHead.from_row(row) if row else None

    def sign(self, session: Session) -> SignedHead:
        """Sign and store a head for the log's current size, whether or not it grew."""
        size = self._log.size(session)
        head = sign_head(self._key, size, self._log.root(session, size), self._clock())
        session.add(
            LogHead(
                tree_size=head.tree_size,
                root_hash=head.root_hash,
                timestamp=head.timestamp,
                key_id=head.key_id,
                signature=head.signature,
            )
        )
        session.flush()
        return head

    @property
    def verifier(self) -> Verifier:
        """The log's note key: its checkpoints' signer, published as a vkey."""
        return Verifier.of(self.origin, SignatureType.ED25519, self.public_key)

    def checkpoint_of(self, head: SignedHead) -> Note:
        """The C2SP checkpoint of a signed head: the same size and root, signed as a note.

        Ed25519 is deterministic, so the note of a stored head is the same bytes every time it
        is made and needs no row of its own; the witnesses' cosignatures are what is stored.
        Only a head whose own signature verifies is signed again: someone who can write the
        database must not get the log's key to sign a root it never signed (a changed
        `log_heads` row raises UnsignedHeadError instead).
        """
        if (problem := explain_head(head, self.public_key)) is not None:
            raise UnsignedHeadError(
                f"refusing to sign a checkpoint of size {head.tree_size}: {problem}"
            )
        return sign_checkpoint(Checkpoint(self.origin, head.tree_size, head.root_hash), self._key)

    def current(self, session: Session) -> SignedHead:
        """The latest head if it covers the whole log, else a newly signed one (on demand)."""
        latest = self.latest(session)
        if (
            latest is not None
            and latest.tree_size == self._log.size(session)
            and latest.key_id == key_id(self.public_key)
        ):
            return latest
        return self.sign(session)
