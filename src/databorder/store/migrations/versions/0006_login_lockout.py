"""officer sign-in failures and lockouts

Revision ID: 0006_login_lockout
Revises: 0005_disclosure_imports
Create Date: 2026-12-01 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import databorder.store.base

revision: str = "0006_login_lockout"
# The head when this was written (0005 did not exist yet; 0007 already revised 0004, and a
# second child of 0004 would have made two heads).
down_revision: str | None = "0005_disclosure_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "last_failed_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("locked_until", databorder.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failures_last_failed_at"), ["last_failed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_last_failed_at"))

    op.drop_table("login_failures")
