"""Canonical JSON: the one serialisation of anything the log hashes or signs.

A hash or signature is over bytes, so two encoders that differ in key order, spacing or
escaping would make the same record unverifiable. Keys sorted, no spaces, UTF-8 kept as is
(not `\\u` escapes) so a Korean name hashes the same whichever client re-encodes it.
"""

import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Raises ValueError for NaN or infinity, which JSON cannot represent."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
