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
    """Wraps with the current master key; unwraps with whichever key `key_id` names."""

    @property
    def key_id(self) -> str: ...

    def wrap(self, data_key: bytes, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: bytes, key_id: str) -> bytes: ...


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


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"databorder-master-key-id" + key).hexdigest()[:16]


class LocalKeyFile:
    """A 256-bit master key in a local file, plus retired keys kept until rotation finishes.

    Retired keys live beside the current one in `<name>.retired/<key id>.key`; they only unwrap.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key = read_secret_file(path, KEY_BYTES)
        self._id = _key_id(self._key)
        self._retired: dict[str, bytes] = {}
        if self.retired_dir.is_dir():
            for file in sorted(self.retired_dir.glob("*.key")):
                key = read_secret_file(file, KEY_BYTES)
                self._retired[_key_id(key)] = key

    @property
    def retired_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".retired")

    @classmethod
    def create(cls, path: Path) -> "LocalKeyFile":
        write_secret_file(path, os.urandom(KEY_BYTES))
        return cls(path)

    @property
    def key_id(self) -> str:
        return self._id

    @property
    def retired_ids(self) -> list[str]:
        return sorted(self._retired)

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        return seal(self._key, data_key, context)

    def unwrap(self, wrapped: bytes, context: bytes, key_id: str) -> bytes:
        key = self._key if key_id == self._id else self._retired.get(key_id)
        if key is None:
            raise KeyFileError(f"master key {key_id} is not available (current is {self._id})")
        return open_sealed(key, wrapped, context)

    def rotate(self) -> "LocalKeyFile":
        """Retire the current key (kept for unwrapping) and make a new one current."""
        self.retired_dir.mkdir(mode=0o700, exist_ok=True)
        write_secret_file(self.retired_dir / f"{self._id}.key", self._key)
        replacement = self.path.with_name(self.path.name + ".new")
        write_secret_file(replacement, os.urandom(KEY_BYTES))
        os.replace(replacement, self.path)  # atomic: a crash leaves the old or the new key
        return LocalKeyFile(self.path)

    def purge_retired(self) -> list[str]:
        """Delete retired keys; call only once no data key is wrapped by them."""
        purged = []
        for key_id in list(self._retired):
            (self.retired_dir / f"{key_id}.key").unlink()
            del self._retired[key_id]
            purged.append(key_id)
        return purged
