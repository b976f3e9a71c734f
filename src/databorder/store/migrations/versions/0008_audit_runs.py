"""audit runs

Revision ID: 0008_audit_runs
Revises: 0007_idempotency
Create Date: 2026-12-01 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import databorder.store.base

revision: str = "0008_audit_runs"
down_revision: str | None = "0007_idempotency"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    instant = databorder.store.base.UTCDateTime(timezone=True)
    op.create_table(
        "audit_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", instant, nullable=False),
        sa.Column("finished_at", instant, nullable=False),
        sa.Column("as_of", instant, nullable=False),
        sa.Column("window_start", instant, nullable=True),
        sa.Column("window_end", instant, nullable=True),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("pack_version", sa.String(length=40), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("by_severity", sa.JSON(), nullable=False),
        sa.Column("by_check", sa.JSON(), nullable=False),
        sa.Column("exposure", sa.JSON(), nullable=True),
        sa.Column("pack_file", sa.String(length=80), nullable=False),
        sa.Column("pack_sha256", sa.String(length=64), nullable=False),
        sa.Column("pack_bytes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_runs")),
    )
    with op.batch_alter_table("audit_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_runs_started_at"), ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_runs_started_at"))
    op.drop_table("audit_runs")
