"""Relay values: what a recipient sees instead of the buyer's phone or email.

`RelayDirectory` is the seam; `DerivedRelay` derives a stable 0505 number and a relay address
from the grant with a keyed hash, so a relay value never contains or reveals the real one. The
pool-backed directory that routes calls to the buyer while the grant lives replaces it later.
"""

import hashlib
import hmac
from typing import Protocol

from databorder.model import DataItem


class RelayDirectory(Protocol):
    def relay_for(self, grant_id: str, item: DataItem) -> str: ...


class DerivedRelay:
    def __init__(self, secret: bytes, domain: str = "relay.databorder.invalid") -> None:
        self._secret = secret
        self._domain = domain

    def relay_for(self, grant_id: str, item: DataItem) -> str:
        digest = hmac.new(self._secret, f"{grant_id}/{item.value}".encode(), hashlib.sha256)
        if item is DataItem.PHONE:
            digits = str(int.from_bytes(digest.digest()[:8], "big")).zfill(8)[-8:]
            return f"0505-{digits[:4]}-{digits[4:]}"
        return f"r-{digest.hexdigest()[:16]}@{self._domain}"
