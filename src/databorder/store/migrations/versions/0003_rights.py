"""rights requests tracked at every recipient

Buyers' rights requests (tracking number, state, legal deadline), one task per recipient to
tell, the outbox message that tells it (Standard Webhooks or email), recipients' webhook
endpoints, and the yearly counter behind tracking numbers (R-2026-000123).

Revision ID: 0003_rights
Revises: 0002_law_v2
Create Date: 2026-12-01 07:03:24.042051
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import databorder.store.base

revision: str = "0003_rights"
down_revision: str | None = "0002_law_v2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rights_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.CheckConstraint("last >= 1", name=op.f("ck_rights_counters_last_positive")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_rights_counters")),
    )
    op.create_table(
        "recipient_webhooks",
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_recipient_webhooks_recipient_id_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recipient_id", name=op.f("pk_recipient_webhooks")),
    )
    op.create_table(
        "rights_requests",
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tracking_number", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "export",
                "correction",
                "suspension",
                "erasure",
                "withdrawal",
                "complaint",
                name="rights_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "received",
                "in_progress",
                "completed",
                "rejected",
                name="rights_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("sealed_text", sa.LargeBinary(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", databorder.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(completed_at IS NULL) = (state NOT IN ('completed', 'rejected'))",
            name=op.f("ck_rights_requests_completed_when_closed"),
        ),
        sa.CheckConstraint(
            "deadline > created_at", name=op.f("ck_rights_requests_deadline_after_created")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["buyers.id"],
            name=op.f("fk_rights_requests_subject_id_buyers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_id", "id", name=op.f("pk_rights_requests")),
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.create_index("ix_rights_requests_id", ["id"], unique=False)
        batch_op.create_index("ix_rights_requests_open", ["state", "deadline"], unique=False)
        batch_op.create_index("ix_rights_requests_tracking", ["tracking_number"], unique=False)

    op.create_table(
        "rights_tasks",
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column(
            "topic",
            sa.Enum(
                "customers/redact",
                "customers/update",
                "customers/suspend",
                "customers/withdraw",
                name="rights_topic",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "notified",
                "acknowledged",
                "dead",
                name="rights_task_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", databorder.store.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", databorder.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "acknowledged_at", databorder.store.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "(acknowledged_at IS NULL) = (state <> 'acknowledged')",
            name=op.f("ck_rights_tasks_acknowledged_when_done"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_rights_tasks_attempts_nonnegative")),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_rights_tasks_recipient_id_recipients"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id", "request_id"],
            ["rights_requests.subject_id", "rights_requests.id"],
            name=op.f("fk_rights_tasks_subject_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_id", "id", name=op.f("pk_rights_tasks")),
        sa.UniqueConstraint(
            "subject_id",
            "request_id",
            "recipient_id",
            name=op.f("uq_rights_tasks_subject_id_request_id_recipient_id"),
        ),
    )
    with op.batch_alter_table("rights_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_rights_tasks_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_rights_tasks_id", ["id"], unique=False)
        batch_op.create_index("ix_rights_tasks_recipient", ["recipient_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "webhook",
                "email",
                name="outbox_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", databorder.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", databorder.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id", "task_id"],
            ["rights_tasks.subject_id", "rights_tasks.id"],
            name=op.f("fk_outbox_subject_id_rights_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_id", "id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("subject_id", "task_id", name=op.f("uq_outbox_subject_id_task_id")),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    with op.batch_alter_table("rights_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_rights_tasks_recipient")
        batch_op.drop_index("ix_rights_tasks_id")
        batch_op.drop_index("ix_rights_tasks_due")

    op.drop_table("rights_tasks")
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_rights_requests_tracking")
        batch_op.drop_index("ix_rights_requests_open")
        batch_op.drop_index("ix_rights_requests_id")

    op.drop_table("rights_requests")
    op.drop_table("recipient_webhooks")
    op.drop_table("rights_counters")
