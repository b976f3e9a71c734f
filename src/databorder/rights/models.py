"""Rights requests, the task each recipient must complete, the messages that tell them, and where.

Requests, tasks and messages are keyed by the buyer first (`subject_id`), like the rest of a
buyer's data, so one buyer's privacy center reads one shard (store/distribution.py). Nothing
here holds personal data in the clear: a request's `detail` names what changed, never a value;
a message's payload names order ids; a complaint's text is sealed under the buyer's vault key,
so erasing the buyer makes it unreadable with the rest.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from databorder.rights.types import Channel, RequestKind, RequestState, TaskState, Topic
from databorder.store.base import Base
from databorder.store.columns import enum_column


class RightsRequest(Base):
    __tablename__ = "rights_requests"
    __table_args__ = (
        CheckConstraint("deadline > created_at", name="deadline_after_created"),
        CheckConstraint(
            "(completed_at IS NULL) = (state NOT IN ('completed', 'rejected'))",
            name="completed_when_closed",
        ),
        Index("ix_rights_requests_id", "id"),
        Index("ix_rights_requests_tracking", "tracking_number"),
        Index("ix_rights_requests_open", "state", "deadline"),
    )

    subject_id: Mapped[str] = mapped_column(
        ForeignKey("buyers.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Unique by construction (rights_counters hands out each serial once); a unique index
    # could not be enforced across shards without the buyer's id in it.
    tracking_number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind, "rights_kind"))
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState, "rights_state"))
    detail: Mapped[dict[str, Any]]  # which items, which consent, how many grants: no values
    sealed_text: Mapped[bytes | None] = mapped_column(LargeBinary)  # a complaint, sealed
    answer: Mapped[str | None] = mapped_column(Text)  # the officer's answer to a complaint
    created_at: Mapped[datetime]
    deadline: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class RightsTask(Base):
    """What one recipient must do for one request, and how delivering it has gone."""

    __tablename__ = "rights_tasks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["subject_id", "request_id"],
            ["rights_requests.subject_id", "rights_requests.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("subject_id", "request_id", "recipient_id"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint(
            "(acknowledged_at IS NULL) = (state <> 'acknowledged')", name="acknowledged_when_done"
        ),
        Index("ix_rights_tasks_id", "id"),
        Index("ix_rights_tasks_due", "state", "next_attempt_at"),
        Index("ix_rights_tasks_recipient", "recipient_id"),
    )

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("recipients.id"))
    topic: Mapped[Topic] = mapped_column(enum_column(Topic, "rights_topic"))
    state: Mapped[TaskState] = mapped_column(enum_column(TaskState, "rights_task_state"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]  # due for delivery; None when nothing is due
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """The message telling a recipient of its task, written in the request's transaction.

    One per task: every delivery attempt, and every redelivery, sends this row again under the
    same id, which is the Standard Webhooks `webhook-id` a receiver deduplicates by.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        ForeignKeyConstraint(
            ["subject_id", "task_id"],
            ["rights_tasks.subject_id", "rights_tasks.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("subject_id", "task_id"),
    )

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # msg_<uuid7>
    task_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "outbox_channel"))
    payload: Mapped[dict[str, Any]]  # order ids and items' names, never personal data
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]  # the first successful delivery


class RecipientWebhook(Base):
    """Where a recipient takes its tasks (Standard Webhooks), and the secret that signs them.

    The secret is kept as given (`whsec_` + base64): signing needs it, a hash would not do.
    """

    __tablename__ = "recipient_webhooks"

    recipient_id: Mapped[str] = mapped_column(
        ForeignKey("recipients.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RightsCounter(Base):
    """The last tracking-number serial handed out in a year (`R-<year>-<serial>`)."""

    __tablename__ = "rights_counters"
    __table_args__ = (CheckConstraint("last >= 1", name="last_positive"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int]
