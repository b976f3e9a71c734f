"""The dispatcher: delivers due outbox messages, by webhook or by email, and retries the failures.

A run has three steps, and only the first and last touch the database, each in a short
transaction of its own:
1. claim the due tasks (pending, `next_attempt_at <= at`), pushing their next attempt a lease
   ahead so a second dispatcher (the service's periodic job beside `databorder rights
   dispatch`) leaves them alone; on PostgreSQL locked rows are skipped, not waited for;
2. send each message outside any transaction: a slow receiver must not hold the SQLite writer
   lock, or row locks, for its timeout (and a receiver that acknowledges from inside its
   webhook handler would wait on the lock its own delivery held);
3. record each outcome: delivered (the task is notified; the recipient still acknowledges), or
   failed, retried with exponential backoff until the policy's last attempt makes it dead.

Webhooks follow the Standard Webhooks specification: the body is the stored payload as
canonical JSON, signed with the recipient's secret by the `standardwebhooks` package; the
`webhook-id` is the outbox message's id, the same on every attempt and every redelivery, so a
receiver deduplicates by it. Recipients without a webhook when the message is sent get it at
their privacy email, rendered in Korean and English: over SMTP when configured, else as a file in a mail
directory (the demo's `.demo/mail/`).

`webhook-timestamp` reads the wall clock (`clock`), not `at`: receivers check it against their
own clock (the reference verifier allows five minutes either way), while `at` only schedules,
and a test may move it days ahead.
"""

import os
import smtplib
import ssl
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

import httpx2
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from databorder.ledger.canonical import canonical_json
from databorder.model import utcnow
from databorder.registry.models import Recipient
from databorder.rights.messages import render_email
from databorder.rights.models import OutboxMessage, RecipientWebhook, RightsTask
from databorder.rights.types import Channel, RetryPolicy, TaskState

Clock = Callable[[], datetime]
_ERROR_CHARS = 500  # rights_tasks.last_error


class DeliveryError(Exception):
    """One attempt failed; the message says what came back (never the payload)."""


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Deliver or raise DeliveryError."""


class MailTransport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message over or raise DeliveryError."""


class HttpWebhooks:
    """POSTs over HTTP(S) with a short timeout; any 2xx is success (Standard Webhooks)."""

    def __init__(self, timeout: float = 5.0, transport: httpx2.BaseTransport | None = None) -> None:
        self.timeout = timeout
        self._transport = transport

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            # Redirects are not followed: a signed message goes where it was registered to go.
            with httpx2.Client(
                timeout=self.timeout, transport=self._transport, follow_redirects=False
            ) as client:
                answer = client.post(url, content=body, headers=dict(headers))
        except httpx2.TimeoutException as exc:
            raise DeliveryError(f"no answer within {self.timeout:g} s") from exc
        except httpx2.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= answer.status_code < 300:
            raise DeliveryError(f"expected a 2xx answer, got {answer.status_code}")


class SmtpMail:
    """Hands messages to an SMTP server (STARTTLS unless told otherwise, login if given)."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                f"SMTP {self.host}:{self.port}: {type(exc).__name__}: {exc}"
            ) from exc


class MailDirectory:
    """Writes each message as `<webhook-id>.eml` in a directory: the demo's and tests' mail.

    A redelivery overwrites its own file, so the directory holds one file per message.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: EmailMessage) -> None:
        name = str(message["X-Databorder-Message"])
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(message.as_bytes())
            os.replace(temporary, self.path / f"{name}.eml")
        except OSError as exc:
            raise DeliveryError(f"mail directory {self.path}: {exc}") from exc


def mail_transport(
    mail_dir: Path,
    smtp_host: str = "",
    smtp_port: int = 587,
    smtp_username: str | None = None,
    smtp_password: str | None = None,
    smtp_starttls: bool = True,
) -> MailTransport:
    """SMTP when a host is configured, else the mail directory."""
    if smtp_host:
        return SmtpMail(smtp_host, smtp_port, smtp_username, smtp_password, smtp_starttls)
    return MailDirectory(mail_dir)


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed message, as plain values: what a send needs, outside any transaction."""

    subject_id: str
    task_id: str
    message_id: str
    payload: dict[str, Any]
    recipient_name: str
    email: str
    url: str | None
    secret: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    due: Due
    channel: Channel  # the channel used, which the message records
    error: str | None


@dataclass(frozen=True, slots=True)
class DispatchReport:
    attempted: int
    delivered: int
    failed: int  # failed and to be retried
    dead: int  # failed for the last time: dead letters


def sign(secret: str, message_id: str, body: bytes, timestamp: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt of one message."""
    at = timestamp.astimezone(UTC)  # the library reads the instant as UTC whatever it carries
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body.decode()),
        "content-type": "application/json",
    }


class Dispatcher:
    def __init__(
        self,
        webhooks: WebhookSender,
        mail: MailTransport,
        *,
        mail_from: str,
        retry: RetryPolicy | None = None,
        api_base_url: str = "",
        clock: Clock = utcnow,
        batch: int = 100,
        workers: int = 8,
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        self.webhooks = webhooks
        self.mail = mail
        self.mail_from = mail_from
        self.retry = retry or RetryPolicy()
        self.api_base_url = api_base_url
        self.clock = clock
        self.batch = batch
        self.workers = workers
        self.lease = lease

    def run(self, sessions: sessionmaker[Session], at: datetime) -> DispatchReport:
        """Deliver every message due at `at` (up to `batch`); the counts of what happened."""
        with sessions.begin() as session:
            due = self._claim(session, at)
        if not due:
            return DispatchReport(0, 0, 0, 0)
        with ThreadPoolExecutor(max_workers=min(self.workers, len(due))) as pool:
            attempts = list(pool.map(self._attempt, due))
        with sessions.begin() as session:
            return self._record(session, attempts, at)

    def _claim(self, session: Session, at: datetime) -> list[Due]:
        # The due tasks are found first, then each is locked by its full key and checked again
        # (another dispatcher may have claimed it meanwhile: its lease moved next_attempt_at).
        # One query locking them all would lock across shards, which Citus refuses ("could not
        # run distributed query with FOR UPDATE/SHARE commands"); by its key, each is one shard.
        due = session.execute(
            select(RightsTask.subject_id, RightsTask.id)
            .where(RightsTask.state == TaskState.PENDING, RightsTask.next_attempt_at <= at)
            .order_by(RightsTask.next_attempt_at, RightsTask.id)
            .limit(self.batch)
        ).all()
        claimed = []
        for subject_id, task_id in due:
            row = self._lock(session, subject_id, task_id, at)
            if row is None:
                continue
            task, message, name, email, url, secret = row
            task.next_attempt_at = at + self.lease
            claimed.append(
                Due(
                    task.subject_id,
                    task.id,
                    message.id,
                    dict(message.payload),
                    name,
                    email,
                    url,
                    secret,
                )
            )
        return claimed

    def _lock(self, session: Session, subject_id: str, task_id: str, at: datetime) -> Any:
        return session.execute(
            select(
                RightsTask,
                OutboxMessage,
                Recipient.legal_name,
                Recipient.privacy_email,
                RecipientWebhook.url,
                RecipientWebhook.secret,
            )
            .join(
                OutboxMessage,
                and_(
                    OutboxMessage.subject_id == RightsTask.subject_id,
                    OutboxMessage.task_id == RightsTask.id,
                ),
            )
            .join(Recipient, Recipient.id == RightsTask.recipient_id)
            .outerjoin(RecipientWebhook, RecipientWebhook.recipient_id == RightsTask.recipient_id)
            .where(
                RightsTask.subject_id == subject_id,
                RightsTask.id == task_id,
                RightsTask.state == TaskState.PENDING,
                RightsTask.next_attempt_at <= at,
            )
            .with_for_update(of=RightsTask, skip_locked=True)
        ).first()

    def _attempt(self, due: Due) -> Attempt:
        """One delivery; never raises for the recipient's failure, only reports it."""
        # The recipient's webhook as it is now, not as it was when the task was written: one
        # registered since takes the task, one removed since leaves it to email.
        url, secret = due.url, due.secret
        channel = Channel.WEBHOOK if url is not None and secret is not None else Channel.EMAIL
        try:
            if url is not None and secret is not None:
                body = canonical_json(due.payload)
                headers = sign(secret, due.message_id, body, self.clock())
                self.webhooks.send(url, body, {**headers, "user-agent": "databorder-rights/1"})
            else:
                self.mail.send(self.email(due))
        except DeliveryError as exc:
            return Attempt(due, channel, str(exc)[:_ERROR_CHARS])
        return Attempt(due, channel, None)

    def email(self, due: Due) -> EmailMessage:
        text = render_email(due.payload, due.recipient_name, self.api_base_url)
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = due.email
        message["Subject"] = text.subject
        message["Date"] = format_datetime(self.clock().astimezone(UTC))
        # Stable across redeliveries, like the webhook-id: a mail client can tell a repeat.
        message["Message-ID"] = f"<{due.message_id}@databorder.invalid>"
        message["X-Databorder-Message"] = due.message_id  # the same id a webhook carries
        message["X-Databorder-Task"] = due.task_id
        message.set_content(text.body, charset="utf-8")
        return message

    def _record(
        self, session: Session, attempts: Sequence[Attempt], at: datetime
    ) -> DispatchReport:
        delivered = failed = dead = 0
        for attempt in attempts:
            due = attempt.due
            task = session.scalars(
                select(RightsTask)
                .where(RightsTask.subject_id == due.subject_id, RightsTask.id == due.task_id)
                .with_for_update()
            ).first()
            message = session.get(OutboxMessage, (due.subject_id, due.message_id))
            if task is None or message is None:  # erased with its buyer's rows meanwhile
                continue
            task.attempts += 1
            message.channel = attempt.channel
            if attempt.error is None:
                delivered += 1
                message.delivered_at = message.delivered_at or at
                task.notified_at = task.notified_at or at
                task.last_error = None
                # A recipient may have acknowledged already, even from inside its webhook
                # handler: only a task still pending moves on, and nothing moves back.
                if task.state is TaskState.PENDING:
                    task.state = TaskState.NOTIFIED
                    task.next_attempt_at = None
                continue
            task.last_error = attempt.error
            if task.state is not TaskState.PENDING:
                failed += 1
                continue
            retry_at = self.retry.after_failure(task.attempts, at)
            if retry_at is None:
                dead += 1
                task.state = TaskState.DEAD
                task.next_attempt_at = None
            else:
                failed += 1
                task.next_attempt_at = retry_at
        session.flush()
        return DispatchReport(len(attempts), delivered, failed, dead)


def dispatch_due(sessions: sessionmaker[Session], at: datetime, dispatcher: Dispatcher) -> int:
    """Deliver the messages due at `at`; how many were attempted (the periodic job's count)."""
    return dispatcher.run(sessions, at).attempted
