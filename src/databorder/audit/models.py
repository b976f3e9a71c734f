"""The table behind audit runs: what ran, against which signed head, what it found, its pack.

The pack itself (an archive of the report, the findings, the proofs and the exposure) is a
file in `settings.audit_dir`; the row keeps its SHA-256, so a pack swapped on disk is refused
on download (`audit/service.py`), and the summary a list of runs shows without opening it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from databorder.store.base import Base


class AuditRun(Base):
    __tablename__ = "audit_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime]
    # Deadlines and retention were judged at this instant; events in [window_start, window_end).
    as_of: Mapped[datetime]
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    engine: Mapped[str] = mapped_column(String(16))
    pack_version: Mapped[str] = mapped_column(String(40))
    # The signed tree head the pack's proofs are against.
    tree_size: Mapped[int]
    root_hash: Mapped[str] = mapped_column(String(64))
    findings: Mapped[int]
    by_severity: Mapped[dict[str, Any]]  # {"critical": n, "high": n, ...}
    by_check: Mapped[dict[str, Any]]  # {check id: n} for every check that ran
    exposure: Mapped[dict[str, Any] | None]  # Art. 64-2 inputs and result, when sales were given
    pack_file: Mapped[str] = mapped_column(String(80))
    pack_sha256: Mapped[str] = mapped_column(String(64))
    pack_bytes: Mapped[int]
