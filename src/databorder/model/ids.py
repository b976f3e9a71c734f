"""Time-ordered identifiers for append-heavy tables (the UUIDv7 layout of RFC 9562).

Random UUID4 keys scatter every insert across a table's indexes, so appends slow down as the
disclosure table grows; a millisecond timestamp in the leading bits keeps new ids at the right
edge of the index, while 74 random bits keep them unguessable and unique across workers.
"""

import os
import time
import uuid


def time_ordered_id() -> str:
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80  # unix_ts_ms
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # rand_b
    return str(uuid.UUID(int=value))
