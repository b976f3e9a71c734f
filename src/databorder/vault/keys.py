"""Where the master key comes from: a `KeyProvider` seam, a local key file by default.

The provider only wraps and unwraps data keys, the shape of a cloud KMS's encrypt/decrypt,
so a KMS-backed provider fits without touching the vault. The file provider fails closed: no
file, or a file other users can read, and the service does not start.
"""

import base64
import hashlib
import os
import stat
from pathlib import Path
from typing import Protocol

from databorder.vault.crypto import KEY_BYTES, open_sealed, seal


class KeyFileError(RuntimeError):
    """The key file is missing, malformed or not private; the service must not start."""


class KeyProvider(Protocol):
    @property
    def key_id(self) -> str: ...

    def wrap(self, data_key: bytes, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes: ...


def write_secret_file(path: Path, secret: bytes) -> None:
    """Create `path` with owner-only permissions; never overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} exists already; refusing to overwrite a key") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(secret) + b"\n")


def read_secret_file(path: Path, size: int) -> bytes:
    if not path.exists():
        raise KeyFileError(f"key file {path} is missing; run `databorder init` to create it")
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is accessible to other users (mode {stat.filemode(mode)}); "
            "expected owner-only (chmod 600)"
        )
    try:
        secret = base64.b64decode(path.read_bytes().strip(), validate=True)
    except ValueError as exc:
        raise KeyFileError(f"key file {path} is not base64") from exc
    if len(secret) != size:
        raise KeyFileError(f"key file {path} holds {len(secret)} bytes, expected {size}")
    return secret


class LocalKeyFile:
    """A 256-bit master key in a local file; its id is a short hash of the key."""

    def __init__(self, path: Path) -> None:
        self._key = read_secret_file(path, KEY_BYTES)
        self._id = hashlib.sha256(b"databorder-master-key-id" + self._key).hexdigest()[:16]

    @classmethod
    def create(cls, path: Path) -> "LocalKeyFile":
        write_secret_file(path, os.urandom(KEY_BYTES))
        return cls(path)

    @property
    def key_id(self) -> str:
        return self._id

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        return seal(self._key, data_key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        return open_sealed(self._key, wrapped, context)
