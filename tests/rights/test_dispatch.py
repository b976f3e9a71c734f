"""The dispatcher against a real receiver on loopback: retries, dead letters, redelivery, email."""

import email
import email.policy
import socketserver
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from fastapi.testclient import TestClient
from rights_factories import (
    ACK_PATH,
    AT,
    Receiver,
    acknowledger,
    api_key,
    disclose,
)
from sqlalchemy import select

from databorder.rights import (
    Dispatcher,
    HttpWebhooks,
    MailDirectory,
    RetryPolicy,
    RightsRequests,
    RightsTasks,
    SmtpMail,
    dispatch_due,
    mail_transport,
    new_secret,
)
from databorder.rights.models import OutboxMessage, RecipientWebhook, RightsTask
from databorder.rights.types import Channel, Receipt, RequestState, TaskState
from databorder.rights.webhooks import RecipientWebhooks
from databorder.runtime import Runtime
from factories import T0, add_consent, add_order

ERASED = AT + timedelta(days=1)


def _hook(rt: Runtime, receiver: Receiver, recipient: str = "s-cn-1") -> None:
    with rt.sessions.begin() as s:
        RecipientWebhooks(s).put(recipient, receiver.url, receiver.secret, T0)


def _erase(rt: Runtime, at: datetime = ERASED) -> Receipt:
    with rt.sessions.begin() as s:
        return RightsRequests(s, rt.vault).erase("b-1", at)


def _task(rt: Runtime, task_id: str) -> RightsTask:
    with rt.sessions() as s:
        return s.scalars(select(RightsTask).where(RightsTask.id == task_id)).one()


def _state(rt: Runtime, receipt: Receipt) -> Receipt:
    with rt.sessions() as s:
        return RightsRequests(s, rt.vault).receipt("b-1", receipt.id)


def test_a_receiver_failing_twice_then_acknowledging_ends_acknowledged(
    world: Runtime, receiver: Receiver, app_client: TestClient, dispatcher: Dispatcher
) -> None:
    disclose(world)
    _hook(world, receiver)
    receiver.fail_first = 2
    receiver.on_verified = acknowledger(app_client, api_key(world, "s-cn-1"))
    receipt = _erase(world)
    (task_id,) = [t.id for t in receipt.tasks]

    first = dispatcher.run(world.sessions, ERASED)
    assert (first.attempted, first.delivered, first.failed) == (1, 0, 1)
    task = _task(world, task_id)
    assert (task.state, task.attempts) == (TaskState.PENDING, 1)
    assert task.next_attempt_at == ERASED + timedelta(seconds=30)
    assert task.last_error == "expected a 2xx answer, got 500"

    assert dispatch_due(world.sessions, ERASED + timedelta(seconds=29), dispatcher) == 0
    second = dispatcher.run(world.sessions, ERASED + timedelta(seconds=30))
    assert second.failed == 1
    assert _task(world, task_id).next_attempt_at == ERASED + timedelta(seconds=90)

    third = dispatcher.run(world.sessions, ERASED + timedelta(seconds=90))
    assert (third.attempted, third.delivered) == (1, 1)
    task = _task(world, task_id)
    # The receiver acknowledged from inside its handler, before answering 204: the delivery
    # recorded afterwards does not move the task back to `notified`.
    assert task.state is TaskState.ACKNOWLEDGED
    assert (task.attempts, task.last_error) == (3, None)
    assert task.notified_at == ERASED + timedelta(seconds=90)
    done = _state(world, receipt)
    assert done.state is RequestState.COMPLETED
    assert done.completed_at is not None

    statuses = [status for _, _, status in receiver.deliveries]
    assert statuses == [500, 500, 204]
    ids = {headers["webhook-id"] for headers, _, _ in receiver.deliveries}
    assert len(ids) == 1  # every attempt is the same message
    assert ids.pop().startswith("msg_")
    (verified,) = receiver.verified
    assert verified["type"] == "customers/redact"
    assert verified["data"]["orders"] == ["o-1"]
    assert dispatch_due(world.sessions, ERASED + timedelta(days=1), dispatcher) == 0


def test_a_receiver_that_always_fails_makes_a_dead_letter_after_n_tries(
    world: Runtime, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    disclose(world)
    _hook(world, receiver)
    receiver.fail_first = 1000
    receipt = _erase(world)
    (task_id,) = [t.id for t in receipt.tasks]
    at = ERASED
    reports = []
    for _ in range(4):  # the dispatcher fixture's policy: four attempts
        reports.append(dispatcher.run(world.sessions, at))
        following = _task(world, task_id).next_attempt_at
        if following is not None:
            at = following
    assert [(r.failed, r.dead) for r in reports] == [(1, 0), (1, 0), (1, 0), (0, 1)]
    task = _task(world, task_id)
    assert (task.state, task.attempts, task.next_attempt_at) == (TaskState.DEAD, 4, None)
    assert at == ERASED + timedelta(seconds=30 + 60 + 120)
    assert dispatch_due(world.sessions, at + timedelta(days=30), dispatcher) == 0
    assert len(receiver.deliveries) == 4
    # Dead is not done: the request stays open, and overdue once its deadline passes.
    with world.sessions() as s:
        (late,) = RightsRequests(s, world.vault).overdue(receipt.deadline + timedelta(minutes=1))
    assert late.id == receipt.id
    assert late.tasks[0].state is TaskState.DEAD
    assert late.tasks[0].last_error == "expected a 2xx answer, got 500"


def test_redelivery_sends_the_same_message_and_acknowledging_twice_is_fine(
    world: Runtime, receiver: Receiver, app_client: TestClient, dispatcher: Dispatcher
) -> None:
    disclose(world)
    _hook(world, receiver)
    receipt = _erase(world)
    (task_id,) = [t.id for t in receipt.tasks]
    assert dispatcher.run(world.sessions, ERASED).delivered == 1
    assert _task(world, task_id).state is TaskState.NOTIFIED

    with world.sessions.begin() as s:  # the recipient says it lost the message
        RightsTasks(s).redeliver(task_id, ERASED + timedelta(hours=1))
    assert _task(world, task_id).state is TaskState.PENDING
    assert dispatcher.run(world.sessions, ERASED + timedelta(hours=1)).delivered == 1

    (first_headers, first_body, _), (again_headers, again_body, _) = receiver.deliveries
    assert first_headers["webhook-id"] == again_headers["webhook-id"]
    assert first_body == again_body
    assert len(receiver.verified) == 2
    with world.sessions() as s:
        message = s.scalars(select(OutboxMessage)).one()  # still one message, delivered once
        assert message.delivered_at == ERASED

    key = api_key(world, "s-cn-1")
    path = ACK_PATH.format(task_id=task_id)
    once = app_client.post(path, headers={"Authorization": f"Bearer {key}"})
    twice = app_client.post(path, headers={"Authorization": f"Bearer {key}"})
    assert once.status_code == twice.status_code == 200
    assert once.json() == twice.json()
    assert once.json()["state"] == "acknowledged"
    assert once.json()["request_state"] == "completed"


def test_without_a_webhook_the_task_goes_by_email_in_korean_and_english(
    world: Runtime, dispatcher: Dispatcher, mail_dir: Path
) -> None:
    disclose(world)
    receipt = _erase(world)
    report = dispatcher.run(world.sessions, ERASED)
    assert (report.attempted, report.delivered) == (1, 1)
    (task,) = _state(world, receipt).tasks
    assert (task.state, task.channel) == (TaskState.NOTIFIED, Channel.EMAIL)

    (path,) = mail_dir.glob("*.eml")
    raw = path.read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "privacy@example.cn"
    assert message["From"] == "privacy@market.example"
    assert message["Subject"] == (
        f"[{receipt.tracking_number}] 개인정보 파기 요청 / Request to erase personal data"
    )
    assert path.name == f"{message['X-Databorder-Message']}.eml"
    body = message.get_content()
    korean, english = body.split("-" * 60)
    assert "회원 탈퇴" in korean
    assert "  - o-1" in korean
    assert "The buyer of the orders below deleted their account" in english
    assert f"POST https://databorder.example/v1/seller/rights/{task.id}/ack" in english
    text = raw.decode("utf-8", "replace") + body
    for personal in ("김민수", "2345", "6789", "minsu@example.kr", "테헤란로", "06234", "P1234"):
        assert personal not in text, personal

    with world.sessions.begin() as s:  # a redelivery rewrites the same file
        RightsTasks(s).redeliver(task.id, ERASED + timedelta(hours=1))
    dispatcher.run(world.sessions, ERASED + timedelta(hours=1))
    assert [p.name for p in mail_dir.glob("*.eml")] == [path.name]


def test_a_removed_webhook_falls_back_to_email(
    world: Runtime, receiver: Receiver, dispatcher: Dispatcher, mail_dir: Path
) -> None:
    disclose(world)
    _hook(world, receiver)
    receipt = _erase(world)
    with world.sessions.begin() as s:
        s.delete(s.get(RecipientWebhook, "s-cn-1"))
    assert dispatcher.run(world.sessions, ERASED).delivered == 1
    assert receiver.deliveries == []
    assert len(list(mail_dir.glob("*.eml"))) == 1
    assert [t.channel for t in _state(world, receipt).tasks] == [Channel.EMAIL]


def test_a_webhook_registered_after_the_request_takes_the_task(
    world: Runtime, receiver: Receiver, dispatcher: Dispatcher, mail_dir: Path
) -> None:
    disclose(world)
    receipt = _erase(world)
    assert [t.channel for t in receipt.tasks] == [Channel.EMAIL]
    _hook(world, receiver)
    assert dispatcher.run(world.sessions, ERASED).delivered == 1
    assert len(receiver.verified) == 1
    assert not mail_dir.exists()
    assert [t.channel for t in _state(world, receipt).tasks] == [Channel.WEBHOOK]


def test_one_failing_recipient_never_holds_up_another(
    world: Runtime, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    with world.sessions.begin() as s:
        add_order(s, world, "o-3", seller="s-cn-2")
        add_consent(s, "c-2", recipients=["s-cn-2"])
        add_consent(s, "c-p2", kind="third_party_provision", recipients=["s-cn-2"])
    disclose(world)
    assert disclose(world, "o-3", "s-cn-2").grant_id is not None
    _hook(world, receiver, "s-cn-2")
    receiver.fail_first = 1000
    receipt = _erase(world)
    report = dispatcher.run(world.sessions, ERASED)
    assert (report.attempted, report.delivered, report.failed) == (2, 1, 1)
    states = {t.recipient.id: t.state for t in _state(world, receipt).tasks}
    assert states == {"s-cn-1": TaskState.NOTIFIED, "s-cn-2": TaskState.PENDING}
    assert _state(world, receipt).state is RequestState.IN_PROGRESS


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(
    world: Runtime, receiver: Receiver, mail_dir: Path
) -> None:
    disclose(world)
    _hook(world, receiver)
    receiver.on_verified = lambda _payload: time.sleep(1.0)
    receipt = _erase(world)
    quick = Dispatcher(
        HttpWebhooks(timeout=0.2),
        MailDirectory(mail_dir),
        mail_from="privacy@market.example",
        retry=RetryPolicy(max_attempts=3),
    )
    assert quick.run(world.sessions, ERASED).failed == 1
    (task,) = _state(world, receipt).tasks
    assert task.last_error == "no answer within 0.2 s"
    assert task.state is TaskState.PENDING


def test_a_wrong_secret_fails_the_receivers_verification(
    world: Runtime, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    disclose(world)
    with world.sessions.begin() as s:
        RecipientWebhooks(s).put("s-cn-1", receiver.url, new_secret(), T0)  # not the receiver's
    _erase(world)
    assert dispatcher.run(world.sessions, ERASED).failed == 1
    assert [status for _, _, status in receiver.deliveries] == [401]
    assert receiver.verified == []


def test_two_dispatchers_at_once_send_each_message_once(
    world: Runtime, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    with world.sessions.begin() as s:
        add_order(s, world, "o-3", seller="s-cn-2")
        add_consent(s, "c-2", recipients=["s-cn-2"])
        add_consent(s, "c-p2", kind="third_party_provision", recipients=["s-cn-2"])
    disclose(world)
    disclose(world, "o-3", "s-cn-2")
    _hook(world, receiver)
    _hook(world, receiver, "s-cn-2")
    _erase(world)
    start = threading.Barrier(2)

    def run() -> int:
        start.wait()
        return dispatcher.run(world.sessions, ERASED).attempted

    with ThreadPoolExecutor(2) as pool:
        attempted = sorted(pool.map(lambda _: run(), range(2)))
    assert sum(attempted) == 2  # the service's job and `databorder rights dispatch` at once
    ids = [headers["webhook-id"] for headers, _, _ in receiver.deliveries]
    assert len(ids) == len(set(ids)) == 2


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough of an SMTP server (RFC 5321) to take one message and keep it."""

    received: ClassVar[list[bytes]] = []

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.received.append(data)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO, MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


def test_with_smtp_configured_the_email_goes_to_the_smtp_server(
    world: Runtime, mail_dir: Path
) -> None:
    _Smtp.received.clear()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        transport = mail_transport(
            mail_dir, smtp_host="127.0.0.1", smtp_port=server.server_address[1], smtp_starttls=False
        )
        assert isinstance(transport, SmtpMail)
        smtp = Dispatcher(HttpWebhooks(), transport, mail_from="privacy@market.example")
        disclose(world)
        _erase(world)
        assert smtp.run(world.sessions, ERASED).delivered == 1
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    (data,) = _Smtp.received
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["To"] == "privacy@example.cn"
    assert "개인정보 파기 요청" in message["Subject"]
    assert not mail_dir.exists()  # nothing went to the directory


def test_an_unreachable_smtp_server_is_a_failed_attempt(world: Runtime, mail_dir: Path) -> None:
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]  # bound, then closed: nobody listens there
    smtp = Dispatcher(
        HttpWebhooks(),
        SmtpMail("127.0.0.1", port, starttls=False, timeout=1.0),
        mail_from="privacy@market.example",
    )
    disclose(world)
    receipt = _erase(world)
    assert smtp.run(world.sessions, ERASED).failed == 1
    (task,) = _state(world, receipt).tasks
    assert task.last_error is not None
    assert task.last_error.startswith(f"SMTP 127.0.0.1:{port}: ConnectionRefusedError")
