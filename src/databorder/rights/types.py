"""The rights engine's vocabulary and its pure rules: states, moves, deadlines, numbers, retries.

No database and no clock here: the services and the dispatcher pass `at` in. A request moves

    received ──▶ in_progress ──▶ completed
        │             │
        ├─────────────┴──────▶ rejected
        └──────────────────────▶ completed   (export, a complaint answered, nobody to notify)

and each of its recipient tasks

    pending ──▶ notified ──▶ acknowledged
       │   ◀──────┘ (redelivered)  ▲
       ├──────────────────────────┘ (a recipient may acknowledge before we saw the delivery)
       └──▶ dead ──▶ pending (redelivered) / acknowledged

A request that notifies recipients completes when every one of its tasks is acknowledged; a
dead task keeps its request open (and, after the deadline, overdue) until someone acts on it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from databorder.errors import Conflict


class RequestKind(StrEnum):
    """The right exercised (PIPA Art. 35 to 37), or a complaint to the privacy officer."""

    EXPORT = "export"  # access, Art. 35
    CORRECTION = "correction"  # Art. 36
    SUSPENSION = "suspension"  # Art. 37
    ERASURE = "erasure"  # Art. 36, account deletion
    WITHDRAWAL = "withdrawal"  # of a consent, Art. 37
    COMPLAINT = "complaint"


class RequestState(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"


class TaskState(StrEnum):
    PENDING = "pending"  # to be delivered (again) at next_attempt_at
    NOTIFIED = "notified"  # delivered: the webhook answered 2xx, or the mail was handed over
    ACKNOWLEDGED = "acknowledged"  # the recipient confirmed it acted
    DEAD = "dead"  # every delivery attempt failed: an officer must look (dead letter)


class Topic(StrEnum):
    """What a task asks of a recipient; named like Shopify's mandatory compliance webhooks."""

    REDACT = "customers/redact"  # erase everything held about the buyer's orders
    UPDATE = "customers/update"  # items changed: read them again before using them
    SUSPEND = "customers/suspend"  # stop processing: the buyer suspended transfers
    WITHDRAW = "customers/withdraw"  # the consent the data rested on was withdrawn


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


# Which topic each kind sends; kinds absent here notify nobody.
TOPICS: dict[RequestKind, Topic] = {
    RequestKind.ERASURE: Topic.REDACT,
    RequestKind.CORRECTION: Topic.UPDATE,
    RequestKind.SUSPENSION: Topic.SUSPEND,
    RequestKind.WITHDRAWAL: Topic.WITHDRAW,
}

_REQUEST_MOVES: dict[RequestState, frozenset[RequestState]] = {
    RequestState.RECEIVED: frozenset(
        {RequestState.IN_PROGRESS, RequestState.COMPLETED, RequestState.REJECTED}
    ),
    RequestState.IN_PROGRESS: frozenset({RequestState.COMPLETED, RequestState.REJECTED}),
    RequestState.COMPLETED: frozenset(),
    RequestState.REJECTED: frozenset(),
}

_TASK_MOVES: dict[TaskState, frozenset[TaskState]] = {
    TaskState.PENDING: frozenset({TaskState.NOTIFIED, TaskState.ACKNOWLEDGED, TaskState.DEAD}),
    TaskState.NOTIFIED: frozenset({TaskState.ACKNOWLEDGED, TaskState.PENDING}),
    TaskState.DEAD: frozenset({TaskState.PENDING, TaskState.ACKNOWLEDGED}),
    TaskState.ACKNOWLEDGED: frozenset(),
}

# The law's answer time for Art. 35 to 37 (and the default of DATABORDER_RIGHTS_DEADLINE_DAYS).
DEFAULT_DEADLINE_DAYS = 10


def request_move(current: RequestState, target: RequestState) -> RequestState:
    """`target` if a request in `current` may move there; Conflict saying why not otherwise."""
    if target not in _REQUEST_MOVES[current]:
        raise Conflict(f"a request {current.value} cannot become {target.value}")
    return target


def task_move(current: TaskState, target: TaskState) -> TaskState:
    """`target` if a task in `current` may move there; Conflict saying why not otherwise."""
    if target not in _TASK_MOVES[current]:
        raise Conflict(f"a task {current.value} cannot become {target.value}")
    return target


def deadline(created_at: datetime, days: int) -> datetime:
    if days < 1:
        raise ValueError(f"a rights deadline is at least 1 day, got {days}")
    return created_at + timedelta(days=days)


def tracking_number(year: int, serial: int) -> str:
    """`R-2026-000123`: short enough to read out on the phone, unique by (year, serial)."""
    if serial < 1:
        raise ValueError(f"serials start at 1, got {serial}")
    return f"R-{year}-{serial:06d}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: `base × 2^(n-1)` after the n-th failure, capped, dead after `max_attempts`."""

    max_attempts: int = 12
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=6)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts is at least 1, got {self.max_attempts}")
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError(f"need 0 < base <= cap, got base {self.base}, cap {self.cap}")

    def after_failure(self, attempts: int, at: datetime) -> datetime | None:
        """When to try again after `attempts` failed attempts at `at`; None: give up (dead)."""
        if attempts >= self.max_attempts:
            return None
        # 2^(n-1) grows past any cap quickly; clamp the exponent so the product stays small.
        factor = 1 << min(max(attempts - 1, 0), 32)
        return at + min(self.base * factor, self.cap)


@dataclass(frozen=True, slots=True)
class RecipientRef:
    id: str
    legal_name: str
    country: str


@dataclass(frozen=True, slots=True)
class TaskView:
    """One recipient's part of a request, as the buyer's receipt and the officer see it."""

    id: str
    recipient: RecipientRef
    topic: Topic
    state: TaskState
    channel: Channel
    attempts: int
    notified_at: datetime | None
    acknowledged_at: datetime | None
    last_error: str | None
    deadline: datetime

    def overdue(self, at: datetime) -> bool:
        return self.state is not TaskState.ACKNOWLEDGED and at > self.deadline


@dataclass(frozen=True, slots=True)
class Receipt:
    """A rights request as its receipt shows it: number, time, state, deadline, each recipient.

    `revoked` names the recipients whose access ended in the request's transaction (the
    consents page says who lost access); it is filled only by the call that made the request.
    """

    id: str
    tracking_number: str
    kind: RequestKind
    state: RequestState
    created_at: datetime
    deadline: datetime
    completed_at: datetime | None
    detail: dict[str, object]
    answer: str | None
    tasks: tuple[TaskView, ...]
    revoked: tuple[RecipientRef, ...] = ()

    def overdue(self, at: datetime) -> bool:
        return (
            self.state not in (RequestState.COMPLETED, RequestState.REJECTED) and at > self.deadline
        )


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    task_id: str
    tracking_number: str
    state: TaskState
    acknowledged_at: datetime
    request_state: RequestState
