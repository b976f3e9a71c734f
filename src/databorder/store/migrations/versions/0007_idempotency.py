"""idempotency keys

Revision ID: 0007_idempotency
Revises: 0006_login_lockout
Create Date: 2026-12-01 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import databorder.store.base

revision: str = "0007_idempotency"
# The head when this was written: 0006 and 0007 were made first, and revising 0004 as well
# would have left two heads (`upgrade head` refuses them).
down_revision: str | None = "0006_login_lockout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("lease", sa.String(length=32), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("answer", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(lease IS NOT NULL AND status IS NULL AND answer IS NULL)"
            " OR (lease IS NULL AND status IS NOT NULL AND answer IS NOT NULL)",
            name=op.f("ck_idempotency_keys_pending_or_answered"),
        ),
        sa.CheckConstraint(
            "status IS NULL OR (status >= 100 AND status < 500)",
            name=op.f("ck_idempotency_keys_kept_status"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_expires_at"))

    op.drop_table("idempotency_keys")
