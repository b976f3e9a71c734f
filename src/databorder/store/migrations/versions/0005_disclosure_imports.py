"""disclosures brought in by the officer's import

Revision ID: 0005_disclosure_imports
Revises: 0004_login_tokens
Create Date: 2026-12-01 09:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import databorder.store.base

revision: str = "0005_disclosure_imports"
down_revision: str | None = "0004_login_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "imported_at", databorder.store.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_column("imported_at")
        batch_op.drop_column("imported_by")
