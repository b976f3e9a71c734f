"""witnesses' cosignatures of the log's checkpoints

Revision ID: 0009_log_cosignatures
Revises: 0008_audit_runs
Create Date: 2026-12-02 02:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import databorder.store.base

revision: str = "0009_log_cosignatures"
down_revision: str | None = "0008_audit_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_cosignatures",
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("witness", sa.String(length=255), nullable=False),
        sa.Column("key_id", sa.LargeBinary(length=4), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=72), nullable=False),
        sa.Column("cosigned_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "tree_size >= 0", name=op.f("ck_log_cosignatures_tree_size_not_negative")
        ),
        sa.CheckConstraint(
            "length(root_hash) = 32", name=op.f("ck_log_cosignatures_root_hash_32_bytes")
        ),
        sa.CheckConstraint("length(key_id) = 4", name=op.f("ck_log_cosignatures_key_id_4_bytes")),
        sa.CheckConstraint(
            "length(signature) = 72", name=op.f("ck_log_cosignatures_signature_72_bytes")
        ),
        sa.PrimaryKeyConstraint("tree_size", "witness", "key_id", name=op.f("pk_log_cosignatures")),
    )


def downgrade() -> None:
    op.drop_table("log_cosignatures")
