"""The marketplace's side of the story: its buyers (data subjects) and their orders.

Only what decisions need is kept in the clear: residence, the suspension flag, order times and
which seller sold. Personal data items live encrypted in the vault, keyed by the buyer's id.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from databorder.store.base import Base


class Buyer(Base):
    __tablename__ = "buyers"
    __table_args__ = (CheckConstraint("length(residence) = 2", name="residence_alpha2"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    residence: Mapped[str] = mapped_column(String(2))
    transfer_suspended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "delivered_at IS NULL OR delivered_at >= ordered_at", name="delivered_after_ordered"
        ),
        Index("ix_orders_id", "id"),
        Index("ix_orders_seller", "seller_id"),
    )

    # Keyed by buyer first, like all of a buyer's data (see store/distribution.py).
    buyer_id: Mapped[str] = mapped_column(
        ForeignKey("buyers.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("recipients.id"))
    ordered_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    # What was bought is personal data too: sealed with the buyer's vault key.
    items_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
