"""The table behind messages to recipients: each message filtered, both forms sealed.

Keyed by buyer first like the rest of a buyer's data (store/distribution.py). The original is
sealed with the buyer's vault key like any personal data; so is the filtered text, because what
the recipient may read plainly (the address a carrier needs) is personal data too: erasure
shreds the key and both become unreadable. The counts stay readable for the audit.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from databorder.dlp.schemas import Sender
from databorder.store.base import Base
from databorder.store.columns import enum_column


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("found >= 0", name="found_not_negative"),
        ForeignKeyConstraint(
            ["subject_id", "order_id"], ["orders.buyer_id", "orders.id"], ondelete="CASCADE"
        ),
        Index("ix_messages_order", "order_id"),
        Index("ix_messages_recipient", "recipient_id"),
    )

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("recipients.id"))
    sender: Mapped[Sender] = mapped_column(enum_column(Sender, "message_sender"))
    original_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    filtered_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    changed: Mapped[dict[str, Any]]  # finding type -> replaced count
    found: Mapped[int]
    sent_at: Mapped[datetime]
