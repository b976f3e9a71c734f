"""The pure rules: state moves, deadlines, tracking numbers, backoff, and the messages' texts."""

from datetime import UTC, datetime, timedelta

import pytest

import databorder.rights
from databorder.errors import Conflict
from databorder.rights.messages import payload, render_email
from databorder.rights.types import (
    RequestState,
    RetryPolicy,
    TaskState,
    Topic,
    deadline,
    request_move,
    task_move,
    tracking_number,
)

AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def test_a_completed_request_cannot_reopen_or_be_rejected() -> None:
    assert request_move(RequestState.RECEIVED, RequestState.IN_PROGRESS) is RequestState.IN_PROGRESS
    assert request_move(RequestState.IN_PROGRESS, RequestState.COMPLETED) is RequestState.COMPLETED
    with pytest.raises(Conflict, match="a request completed cannot become rejected"):
        request_move(RequestState.COMPLETED, RequestState.REJECTED)
    with pytest.raises(Conflict, match="a request in_progress cannot become received"):
        request_move(RequestState.IN_PROGRESS, RequestState.RECEIVED)


def test_an_acknowledged_task_is_final_and_a_dead_one_can_be_redelivered() -> None:
    assert task_move(TaskState.DEAD, TaskState.PENDING) is TaskState.PENDING
    assert task_move(TaskState.PENDING, TaskState.ACKNOWLEDGED) is TaskState.ACKNOWLEDGED
    for target in TaskState:
        with pytest.raises(Conflict):
            task_move(TaskState.ACKNOWLEDGED, target)
    with pytest.raises(Conflict, match="a task notified cannot become dead"):
        task_move(TaskState.NOTIFIED, TaskState.DEAD)


def test_the_deadline_is_the_given_days_after_the_request() -> None:
    assert deadline(AT, 10) == datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="at least 1 day, got 0"):
        deadline(AT, 0)


def test_tracking_numbers_read_like_r_year_serial() -> None:
    assert tracking_number(2026, 123) == "R-2026-000123"
    assert tracking_number(2027, 1_234_567) == "R-2027-1234567"
    with pytest.raises(ValueError, match="start at 1"):
        tracking_number(2026, 0)


def test_backoff_doubles_from_the_base_up_to_the_cap_then_gives_up() -> None:
    policy = RetryPolicy(max_attempts=6, base=timedelta(seconds=30), cap=timedelta(minutes=5))
    waits = [policy.after_failure(n, AT) for n in range(1, 7)]
    assert [w - AT if w else None for w in waits] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
        timedelta(minutes=5),  # 480 s, capped
        None,  # the sixth failure was the last attempt: dead letter
    ]
    assert RetryPolicy().after_failure(200, AT) is None
    assert RetryPolicy(max_attempts=10**6).after_failure(5000, AT) == AT + timedelta(hours=6)


def test_a_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts is at least 1"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="need 0 < base <= cap"):
        RetryPolicy(base=timedelta(hours=1), cap=timedelta(minutes=1))


def test_the_payload_names_orders_and_items_never_values() -> None:
    body = payload(
        Topic.REDACT,
        task_id="t-1",
        tracking_number="R-2026-000007",
        orders=["o-2", "o-1", "o-2"],
        items=["phone", "name"],
        deadline=AT + timedelta(days=10),
        at=AT,
    )
    assert body == {
        "type": "customers/redact",
        "timestamp": "2026-11-03T09:00:00+00:00",
        "data": {
            "task_id": "t-1",
            "tracking_number": "R-2026-000007",
            "orders": ["o-1", "o-2"],
            "items": ["name", "phone"],
            "deadline": "2026-11-13T09:00:00+00:00",
            "acknowledge": {"method": "POST", "path": "/v1/seller/rights/t-1/ack"},
        },
    }


@pytest.mark.parametrize("topic", list(Topic))
def test_every_topic_has_an_email_in_korean_then_english(topic: Topic) -> None:
    body = payload(
        topic,
        task_id="t-9",
        tracking_number="R-2026-000009",
        orders=["o-1"],
        items=["name"],
        deadline=AT,
        at=AT,
    )
    text = render_email(body, "Shenzhen Example Trading Co., Ltd.", "https://db.example/")
    assert text.subject.startswith("[R-2026-000009] ")
    assert " / " in text.subject
    korean, english = text.body.split("-" * 60)
    assert "접수번호: R-2026-000009" in korean
    assert "처리 기한: 2026-11-03 09:00 UTC" in korean
    assert "Tracking number: R-2026-000009" in english
    assert "POST https://db.example/v1/seller/rights/t-9/ack" in english
    assert "  - o-1" in korean
    assert "  - o-1" in english
    assert "Items concerned: Name" in english


def test_the_package_lists_its_public_names_once() -> None:
    exported = set(databorder.rights.__all__)
    assert len(exported) == len(databorder.rights.__all__)
    assert all(hasattr(databorder.rights, name) for name in exported)
    public = {n for n in vars(databorder.rights) if not n.startswith("_")}
    modules = {
        "dispatch",
        "messages",
        "models",
        "requests",
        "services",
        "tasks",
        "types",
        "webhooks",
    }
    assert public - modules == exported
