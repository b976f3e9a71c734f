"""private leaves: the records log leaves commit to, with their salts

Revision ID: 0011_log_records
Revises: 0010_messages
Create Date: 2026-12-02 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_log_records"
down_revision: str | None = "0010_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_records",
        sa.Column(
            "leaf_index",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("salt", sa.LargeBinary(length=32), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("leaf_index >= 0", name=op.f("ck_log_records_leaf_index_not_negative")),
        sa.CheckConstraint("length(salt) = 32", name=op.f("ck_log_records_salt_32_bytes")),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_log_records")),
    )


def downgrade() -> None:
    op.drop_table("log_records")
