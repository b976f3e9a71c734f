"""Tables of the stored Merkle log (placeholder until the ledger work lands)."""

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from databorder.store.base import Base


class LogLeaf(Base):
    __tablename__ = "log_leaves"

    index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
