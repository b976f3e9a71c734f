"""Recipients' tasks: written with their request, acknowledged by the recipient, redelivered by
an officer.

A task and its outbox message are written in the request's own transaction (the transactional
outbox): if the request commits, its messages will go out; if it rolls back, none exist. The
channel is the recipient's webhook if it has one when the message is sent, else its privacy
email; the message records the one expected now and, once sent, the one used.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from databorder.errors import Conflict, NotFound
from databorder.model.ids import time_ordered_id
from databorder.rights import messages
from databorder.rights.models import OutboxMessage, RecipientWebhook, RightsRequest, RightsTask
from databorder.rights.types import (
    Acknowledgement,
    Channel,
    RequestState,
    TaskState,
    Topic,
    request_move,
    task_move,
)


@dataclass(frozen=True, slots=True)
class Target:
    """What one recipient is told about: its orders, and the items concerned (names only)."""

    orders: frozenset[str]
    items: frozenset[str] = field(default_factory=frozenset)


def open_tasks(
    session: Session,
    request: RightsRequest,
    topic: Topic,
    targets: Mapping[str, Target],
    at: datetime,
) -> list[RightsTask]:
    """One task and one outbox message per recipient in `targets`, due at once."""
    hooked = (
        set(
            session.scalars(
                select(RecipientWebhook.recipient_id).where(
                    RecipientWebhook.recipient_id.in_(sorted(targets))
                )
            )
        )
        if targets
        else set()
    )
    tasks = [
        RightsTask(
            subject_id=request.subject_id,
            id=time_ordered_id(),
            request_id=request.id,
            recipient_id=recipient_id,
            topic=topic,
            state=TaskState.PENDING,
            attempts=0,
            next_attempt_at=at,
            last_error=None,
            created_at=at,
            notified_at=None,
            acknowledged_at=None,
        )
        for recipient_id in sorted(targets)
    ]
    session.add_all(tasks)
    session.flush()  # the tasks first: the messages reference them, and no relationship says so
    session.add_all(
        OutboxMessage(
            subject_id=request.subject_id,
            id=f"msg_{time_ordered_id()}",
            task_id=task.id,
            channel=Channel.WEBHOOK if task.recipient_id in hooked else Channel.EMAIL,
            payload=messages.payload(
                topic,
                task_id=task.id,
                tracking_number=request.tracking_number,
                orders=targets[task.recipient_id].orders,
                items=targets[task.recipient_id].items,
                deadline=request.deadline,
                at=at,
            ),
            created_at=at,
            delivered_at=None,
        )
        for task in tasks
    )
    session.flush()
    return tasks


def _task(session: Session, task_id: str) -> RightsTask | None:
    # By id alone: the caller knows no buyer. One index lookup here, every shard on Citus;
    # acknowledgements are rare next to the reads that are keyed by buyer.
    return session.scalars(select(RightsTask).where(RightsTask.id == task_id)).first()


class RightsTasks:
    def __init__(self, session: Session) -> None:
        self.session = session

    def acknowledge(self, recipient_id: str, task_id: str, at: datetime) -> Acknowledgement:
        """The recipient confirms it acted. Twice is fine: the first time stands.

        Another recipient's task answers 404 exactly like a task that does not exist, so no
        recipient can learn of others' tasks. The request completes with its last task.
        """
        found = _task(self.session, task_id)
        if found is None or found.recipient_id != recipient_id:
            raise NotFound("rights task", task_id)
        # Lock the request, then the task: two recipients acknowledging the last two tasks of
        # one request at once would otherwise each see the other's still open, and neither
        # would complete the request. The dispatcher locks tasks only, so no cycle can form.
        request = self.session.scalars(
            select(RightsRequest)
            .where(
                RightsRequest.subject_id == found.subject_id,
                RightsRequest.id == found.request_id,
            )
            .with_for_update()
        ).one()
        self.session.refresh(found, with_for_update=True)
        if found.state is not TaskState.ACKNOWLEDGED:
            found.state = task_move(found.state, TaskState.ACKNOWLEDGED)
            found.acknowledged_at = at
            found.next_attempt_at = None
            self.session.flush()
            if request.state in (RequestState.RECEIVED, RequestState.IN_PROGRESS):
                still_open = self.session.scalar(
                    select(func.count())
                    .select_from(RightsTask)
                    .where(
                        RightsTask.subject_id == request.subject_id,
                        RightsTask.request_id == request.id,
                        RightsTask.state != TaskState.ACKNOWLEDGED,
                    )
                )
                if not still_open:
                    request.state = request_move(request.state, RequestState.COMPLETED)
                    request.completed_at = at
            self.session.flush()
        assert found.acknowledged_at is not None  # noqa: S101 (set above, or by the first ack)
        return Acknowledgement(
            found.id, request.tracking_number, found.state, found.acknowledged_at, request.state
        )

    def redeliver(self, task_id: str, at: datetime) -> RightsTask:
        """Send a task's message again, now, under the same webhook-id (receivers deduplicate).

        For a dead task after its recipient fixed its endpoint, or a notified one whose
        recipient lost the message; the attempts start over. An acknowledged task is done.
        """
        found = _task(self.session, task_id)
        if found is None:
            raise NotFound("rights task", task_id)
        self.session.refresh(found, with_for_update=True)
        if found.state is TaskState.ACKNOWLEDGED:
            raise Conflict(
                f"rights task {task_id!r} was acknowledged; there is nothing to redeliver"
            )
        if found.state is not TaskState.PENDING:
            found.state = task_move(found.state, TaskState.PENDING)
        found.attempts = 0
        found.next_attempt_at = at
        found.last_error = None
        self.session.flush()
        return found
