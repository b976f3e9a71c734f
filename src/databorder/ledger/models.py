"""Tables of the stored Merkle log: leaves, complete-subtree hashes, signed heads, the log's size.

Leaves and nodes are append-only and never updated: a node `(level, index)` covers leaves
`index << level` to `((index + 1) << level) - 1` and, once that range is full, its hash can
never change. Leaf hashes are kept twice on purpose: in the leaf row (binding the row's data
to its hash) and as the tree's level-0 node (the tree's own copy). A leaf row rewritten or
moved together with its hash then still disagrees with the tree at exactly its index, and
every proof reads a single table.

`log_state` is one row holding the size; an append locks it (`SELECT ... FOR UPDATE` on
PostgreSQL; SQLite serialises writers anyway) so two workers can never both take the same
index or fork the tree.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from databorder.store.base import Base

# INTEGER PRIMARY KEY is SQLite's rowid alias: leaves are then stored in index order with no
# second B-tree, which halves the writes of an append.
LeafIndex = BigInteger().with_variant(Integer(), "sqlite")


class LogLeaf(Base):
    """One disclosure record: `data` is its canonical JSON, exactly the bytes that were hashed."""

    __tablename__ = "log_leaves"
    __table_args__ = (
        CheckConstraint('"index" >= 0', name="index_not_negative"),
        CheckConstraint("length(leaf_hash) = 32", name="leaf_hash_32_bytes"),
    )

    index: Mapped[int] = mapped_column(LeafIndex, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class LogNode(Base):
    """The hash of one complete subtree of 2**level leaves; level 0 is the leaf hash itself."""

    __tablename__ = "log_nodes"
    __table_args__ = (
        CheckConstraint("level >= 0 AND level < 64", name="level_in_range"),
        CheckConstraint('"index" >= 0', name="index_not_negative"),
        CheckConstraint("length(hash) = 32", name="hash_32_bytes"),
        # Rows are looked up only by their key: without a rowid SQLite keeps one B-tree, not two.
        {"sqlite_with_rowid": False},
    )

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogHead(Base):
    """A signed tree head as published; `timestamp` is signed at millisecond precision."""

    __tablename__ = "log_heads"
    __table_args__ = (
        CheckConstraint("tree_size >= 0", name="tree_size_not_negative"),
        CheckConstraint("length(root_hash) = 32", name="root_hash_32_bytes"),
        CheckConstraint("length(signature) = 64", name="signature_64_bytes"),
        Index("ix_log_heads_tree_size", "tree_size"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class LogState(Base):
    """The single row (id 1) an append locks; `size` is the number of leaves committed."""

    __tablename__ = "log_state"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)


class LogCosignature(Base):
    """A witness's cosignature of the checkpoint at `tree_size` (C2SP tlog-cosignature).

    Kept with the size and root it cosigned, so a served checkpoint carries only cosignatures of
    exactly its tree; `signature` is the 8-byte time and the 64-byte Ed25519 signature.
    """

    __tablename__ = "log_cosignatures"
    __table_args__ = (
        CheckConstraint("tree_size >= 0", name="tree_size_not_negative"),
        CheckConstraint("length(root_hash) = 32", name="root_hash_32_bytes"),
        CheckConstraint("length(key_id) = 4", name="key_id_4_bytes"),
        CheckConstraint("length(signature) = 72", name="signature_72_bytes"),
    )

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(String(255), primary_key=True)
    key_id: Mapped[bytes] = mapped_column(LargeBinary(4), primary_key=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    signature: Mapped[bytes] = mapped_column(LargeBinary(72))
    cosigned_at: Mapped[datetime]


class LogRecord(Base):
    """The record a private leaf commits to, with its salt: the opening of leaf `leaf_index`.

    Deleted when the buyer it is about is erased; the leaf stays and proves the tree.
    """

    __tablename__ = "log_records"
    __table_args__ = (
        CheckConstraint("leaf_index >= 0", name="leaf_index_not_negative"),
        CheckConstraint("length(salt) = 32", name="salt_32_bytes"),
    )

    leaf_index: Mapped[int] = mapped_column(LeafIndex, primary_key=True, autoincrement=False)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    record: Mapped[bytes] = mapped_column(LargeBinary)
