"""Notice versions and consent records: what the buyer was shown, and what they agreed to.

A consent points at the notice version it was given against, so the audit can prove the
buyer was told the five items of Art. 28-8(2) before agreeing; the database refuses a
withdrawal dated before the consent.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from databorder.model import ConsentKind, Ground, RecipientRole
from databorder.store.base import Base
from databorder.store.columns import enum_column


class NoticeVersion(Base):
    """A published notice: immutable once written; the one in force is the latest published."""

    __tablename__ = "notice_versions"

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    recipient_count: Mapped[int] = mapped_column(default=0)
    # What else the renderings depend on, kept as published so they can be rebuilt exactly.
    controller: Mapped[dict[str, Any]] = mapped_column(default=dict)
    home_country: Mapped[str] = mapped_column(String(2), default="")
    # Recipients per seat country, role, section and ground: the directory's totals for one
    # filter, which counting 90,000 index entries on PostgreSQL made its slowest query.
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


class NoticeRecipient(Base):
    """A recipient as one version named it: what the buyer was shown, kept as it was.

    The engine's `recipient.notices` is read from here (every version naming the recipient),
    and the public directory searches it: `name_key` is the case-folded legal name, so a name
    prefix is an index range scan on (version, name_key).
    """

    __tablename__ = "notice_recipients"
    __table_args__ = (
        Index("ix_notice_recipients_name", "version", "name_key"),
        Index("ix_notice_recipients_country", "version", "country", "name_key"),
        Index("ix_notice_recipients_role", "version", "role", "name_key"),
        Index("ix_notice_recipients_recipient", "recipient_id", "version"),
    )

    version: Mapped[str] = mapped_column(
        ForeignKey("notice_versions.version", ondelete="CASCADE"), primary_key=True
    )
    recipient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    data_countries: Mapped[list[str]]
    role: Mapped[RecipientRole] = mapped_column(enum_column(RecipientRole, "notice_role"))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    section: Mapped[str] = mapped_column(String(32))
    ground: Mapped[Ground] = mapped_column(enum_column(Ground, "notice_ground"))
    article: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[str]]
    purposes: Mapped[list[str]]
    retention_days: Mapped[int]


class NoticeDocument(Base):
    """One rendering of a version (HTML, Markdown, CSV, JSON, JSON-LD) and its SHA-256.

    The pages (HTML, Markdown) are kept as published. The full lists (CSV, JSON, JSON-LD: about
    230 MB a version at 180,000 recipients) are kept as their hash only, `content` NULL: they
    are rendered again from the version's `notice_recipients` rows when asked for, and served
    only if they hash to what was published.
    """

    __tablename__ = "notice_documents"

    version: Mapped[str] = mapped_column(
        ForeignKey("notice_versions.version", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)  # "" when none
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(default=0)


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
    # ISO/IEC TS 27560: which notice (and its exact content) was shown, and how consent was given.
    notice_sha256: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32), default="api")
