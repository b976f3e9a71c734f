"""The vault's rows: one wrapped data key per buyer, and each personal data item sealed under it.

Destroying a buyer's wrapped key (crypto-shredding) makes every sealed value of theirs, in
every row and every copy or backup of it, undecryptable at once.
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from databorder.model import DataItem
from databorder.store.base import Base
from databorder.store.columns import enum_column


class SubjectKey(Base):
    __tablename__ = "vault_keys"

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once shredded
    master_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    shredded_at: Mapped[datetime | None]


class SealedItem(Base):
    __tablename__ = "vault_items"

    subject_id: Mapped[str] = mapped_column(
        ForeignKey("vault_keys.subject_id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[DataItem] = mapped_column(enum_column(DataItem, "data_item"), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)  # nonce || AES-256-GCM ciphertext+tag


class BlindIndex(Base):
    """A keyed hash of a buyer's phone or email, for exact-match lookup without the value."""

    __tablename__ = "vault_blind_index"
    __table_args__ = (Index("ix_vault_blind_index_digest", "item", "digest"),)

    subject_id: Mapped[str] = mapped_column(
        ForeignKey("vault_keys.subject_id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[DataItem] = mapped_column(enum_column(DataItem, "blind_item"), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))


class RelayEndpoint(Base):
    """A virtual number or alias address; bound to at most one grant at a time."""

    __tablename__ = "relay_endpoints"
    __table_args__ = (
        CheckConstraint("kind IN ('phone', 'email')", name="kind_known"),
        CheckConstraint("grant_id IS NULL OR released_at IS NULL", name="bound_or_released"),
        ForeignKeyConstraint(
            ["recipient_id", "grant_id"], ["access_grants.recipient_id", "access_grants.id"]
        ),
        Index("ix_relay_endpoints_grant", "grant_id"),
    )

    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    recipient_id: Mapped[str | None] = mapped_column(String(64))
    grant_id: Mapped[str | None] = mapped_column(String(36))
    item: Mapped[str | None] = mapped_column(String(32))
    bound_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
