"""The registry of every recipient: who they are, where, how to reach them, what protects the data.

The published notice, the decision request and the audit are all built from these rows, so the
database enforces what it can (country length, retention range, role values) on top of the
service's validation.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from databorder.model import RecipientRole
from databorder.policy.types import SuspensionOrder as SuspensionFacts
from databorder.store.base import Base
from databorder.store.columns import enum_column


class Recipient(Base):
    __tablename__ = "recipients"
    __table_args__ = (
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint("retention_days BETWEEN 1 AND 3650", name="retention_days_range"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), index=True)
    role: Mapped[RecipientRole] = mapped_column(enum_column(RecipientRole, "recipient_role"))
    privacy_email: Mapped[str] = mapped_column(String(320))
    privacy_phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    certifications: Mapped[list[str]]
    # Art. 28-8(1)4 (a) and (b): the measures the certification requires are taken abroad too.
    certification_measures: Mapped[bool]
    contract_safeguards: Mapped[bool]
    retention_days: Mapped[int]
    # Where else the recipient receives, stores or views the data (a foreign cloud, remote
    # access): a transfer abroad even from a Korean recipient (contract v2, rule 1).
    data_countries: Mapped[list[str]]
    # What it receives data for: the notice lists each recipient's purposes and their items.
    purposes: Mapped[list[str]]
    # Art. 31-2: overseas businesses above a size name a domestic agent.
    domestic_agent_name: Mapped[str | None] = mapped_column(String(300))
    domestic_agent_email: Mapped[str | None] = mapped_column(String(320))
    domestic_agent_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    api_keys: Mapped[list["RecipientApiKey"]] = relationship(back_populates="recipient")


class SuspensionOrder(Base):
    """A regulator's order to suspend transfers abroad (PIPA Art. 28-9): to one recipient or to
    every recipient whose data goes to one country. Ending it sets `ends_at`; the row stays."""

    __tablename__ = "suspension_orders"
    __table_args__ = (
        CheckConstraint(
            "(recipient_id IS NULL) <> (country IS NULL)", name="one_of_recipient_country"
        ),
        CheckConstraint("country IS NULL OR length(country) = 2", name="country_alpha2"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recipient_id: Mapped[str | None] = mapped_column(ForeignKey("recipients.id"))
    country: Mapped[str | None] = mapped_column(String(2))
    starts_at: Mapped[datetime]  # the contract's `from`
    ends_at: Mapped[datetime | None]  # the contract's `to`, exclusive
    reference: Mapped[str] = mapped_column(String(300))  # the regulator's decision, for the audit
    created_at: Mapped[datetime]

    def facts(self) -> SuspensionFacts:
        """The order as the engine reads it (contract: `suspension_orders`)."""
        return SuspensionFacts(
            self.id, self.recipient_id, self.country, self.starts_at, self.ends_at
        )


class RecipientApiKey(Base):
    """A recipient's API credential; only its SHA-256 is kept (keys are 256-bit random)."""

    __tablename__ = "recipient_api_keys"
    __table_args__ = (Index("ix_recipient_api_keys_recipient", "recipient_id"),)

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    recipient_id: Mapped[str] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in consoles to tell keys apart
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    recipient: Mapped[Recipient] = relationship(back_populates="api_keys")
