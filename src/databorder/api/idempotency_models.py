"""The table behind Idempotency-Key (api/idempotency.py): one row per key a caller used.

Nothing in a row names the caller, the key or the request: the primary key is a digest of
them, and the answer is sealed under a key derived from the caller's credential and the
Idempotency-Key, which the database never holds. A row is pending (its `lease` is set) while
its first request runs, then answered (`status`, `headers`, `answer`) until `expires_at`.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from databorder.store.base import Base


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        CheckConstraint(
            "(lease IS NOT NULL AND status IS NULL AND answer IS NULL)"
            " OR (lease IS NULL AND status IS NOT NULL AND answer IS NOT NULL)",
            name="pending_or_answered",
        ),
        # A 5xx (or a crash) releases the reservation, so that a retry runs again.
        CheckConstraint("status IS NULL OR (status >= 100 AND status < 500)", name="kept_status"),
    )

    # SHA-256 of (credential, method, path, Idempotency-Key): two callers never share a row.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    # SHA-256 of the request's query string and body: the same key with another body is refused.
    request_sha256: Mapped[str] = mapped_column(String(64))
    # Random, held by the request running under this key; NULL once its answer is kept.
    lease: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[int | None]
    headers: Mapped[dict[str, Any] | None]  # the few safe headers a replay repeats
    answer: Mapped[bytes | None] = mapped_column(LargeBinary)  # AES-256-GCM: nonce||ct||tag
    # When the key was reserved (a pending row older than a minute counts as abandoned).
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
