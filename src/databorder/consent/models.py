"""Notice versions and consent records: what the buyer was shown, and what they agreed to.

A consent points at the notice version it was given against, so the audit can prove the
buyer was told the five items of Art. 28-8(2) before agreeing; the database refuses a
withdrawal dated before the consent.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from databorder.model import ConsentKind
from databorder.store.base import Base
from databorder.store.columns import enum_column


class NoticeVersion(Base):
    __tablename__ = "notice_versions"

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    published_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text, default="")
    content_sha256: Mapped[str | None] = mapped_column(String(64))


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(
            "withdrawn_at IS NULL OR withdrawn_at >= given_at", name="withdrawn_after_given"
        ),
        Index("ix_consents_id", "id"),
    )

    # The key leads with the buyer: consents are read per buyer, and a distributed database
    # shards them with the buyer's other data (see store/distribution.py).
    subject_id: Mapped[str] = mapped_column(
        ForeignKey("buyers.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind, "consent_kind"))
    notice_version: Mapped[str] = mapped_column(ForeignKey("notice_versions.version"))
    recipients: Mapped[list[str]]
    countries: Mapped[list[str]]
    items: Mapped[list[str]]
    purposes: Mapped[list[str]]
    given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
