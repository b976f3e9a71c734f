"""messages to an order's recipients, filtered by policy and sealed with the buyer's key

Revision ID: 0010_messages
Revises: 0009_log_cosignatures
Create Date: 2026-12-02 02:21:40.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import databorder.store.base

revision: str = "0010_messages"
down_revision: str | None = "0009_log_cosignatures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column(
            "sender",
            sa.Enum(
                "buyer",
                "support",
                name="message_sender",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("original_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("filtered_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("sent_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("found >= 0", name=op.f("ck_messages_found_not_negative")),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["recipients.id"], name=op.f("fk_messages_recipient_id_recipients")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id", "order_id"],
            ["orders.buyer_id", "orders.id"],
            name=op.f("fk_messages_subject_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_id", "id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_order", ["order_id"], unique=False)
        batch_op.create_index("ix_messages_recipient", ["recipient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_recipient")
        batch_op.drop_index("ix_messages_order")
    op.drop_table("messages")
