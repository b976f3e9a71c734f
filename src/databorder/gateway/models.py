"""Disclosures (every decision the gateway made, allowed or not) and the access grants they made.

A disclosure row is written for refusals too, with the reasons, because the audit must be able
to show what was asked and refused, not only what went out. A grant is the only path by which
a recipient reads personal data; it names the consent that grounded it so withdrawal revokes it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from databorder.model import Ground, Purpose
from databorder.store.base import Base
from databorder.store.columns import enum_column


class AccessGrant(Base):
    __tablename__ = "access_grants"
    __table_args__ = (
        CheckConstraint("access_days >= 0", name="access_days_nonnegative"),
        UniqueConstraint("recipient_id", "token_hash"),
        ForeignKeyConstraint(
            ["subject_id", "order_id"], ["orders.buyer_id", "orders.id"], ondelete="CASCADE"
        ),
        Index("ix_access_grants_id", "id"),
        Index("ix_access_grants_order", "order_id"),
        Index("ix_access_grants_subject", "subject_id"),
        Index("ix_access_grants_expires", "expires_at"),
    )

    # Keyed by recipient first: a recipient reads its grants, and a distributed database
    # shards grants by recipient (see store/distribution.py).
    recipient_id: Mapped[str] = mapped_column(ForeignKey("recipients.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The grant token is a capability the marketplace hands the recipient; only its hash is kept.
    token_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose, "grant_purpose"))
    items: Mapped[dict[str, Any]]  # item -> disposition, released items only
    ground: Mapped[Ground] = mapped_column(enum_column(Ground, "grant_ground"))
    # Every consent a released item rests on (provision, transfer, marketing): withdrawing any
    # one of them ends the grant. Read per buyer (ix_access_grants_subject), never globally.
    consent_ids: Mapped[list[str]]
    access_days: Mapped[int]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(64))


class Disclosure(Base):
    __tablename__ = "disclosures"
    __table_args__ = (
        ForeignKeyConstraint(
            ["subject_id", "order_id"], ["orders.buyer_id", "orders.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["recipient_id", "grant_id"], ["access_grants.recipient_id", "access_grants.id"]
        ),
        # The log's own primary key makes indexes unique; here only their sign is checked.
        CheckConstraint("leaf_index IS NULL OR leaf_index >= 0", name="leaf_index_nonnegative"),
        Index("ix_disclosures_id", "id"),
        Index("ix_disclosures_order", "order_id"),
        Index("ix_disclosures_recipient", "recipient_id"),
    )

    # Keyed by buyer first: the privacy center and the audit read a buyer's disclosures.
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("recipients.id"))
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose, "disclosure_purpose"))
    requested: Mapped[list[str]]
    dispositions: Mapped[dict[str, Any]]
    allowed: Mapped[bool]
    cross_border: Mapped[bool]
    recipient_country: Mapped[str] = mapped_column(String(2))
    ground: Mapped[Ground | None] = mapped_column(enum_column(Ground, "disclosure_ground"))
    article: Mapped[str | None] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[str]]  # reason codes, in order; full texts are in the log leaf
    bases: Mapped[list[Any]] = mapped_column(JSON)  # the contract's `bases`, for the audit
    consent_ids: Mapped[list[str]]
    pack: Mapped[str] = mapped_column(String(32))
    pack_version: Mapped[str] = mapped_column(String(32))
    notice_version: Mapped[str | None] = mapped_column(String(32))  # in force when decided
    legal_mandate: Mapped[str | None] = mapped_column(String(64))  # the pack's mandate id
    decided_at: Mapped[datetime]
    grant_id: Mapped[str | None] = mapped_column(String(36))
    leaf_index: Mapped[int | None]
    # History brought in by the privacy officer (POST /v1/disclosures/import): who, and when it
    # was recorded; such a disclosure never has a grant.
    imported_by: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime | None]


class SellerRead(Base):
    """Every read of personal data by a recipient, for the buyer's view and the audit."""

    __tablename__ = "seller_reads"
    __table_args__ = (
        ForeignKeyConstraint(
            ["recipient_id", "grant_id"],
            ["access_grants.recipient_id", "access_grants.id"],
            ondelete="CASCADE",
        ),
        Index("ix_seller_reads_grant", "grant_id"),
    )

    recipient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(36))
    order_id: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[str]]
    read_at: Mapped[datetime]
    leaf_index: Mapped[int | None]  # where the read stands in the disclosure log
