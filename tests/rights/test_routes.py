"""The rights routes: recipients acknowledge only their own tasks; officers follow up."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rights_factories import ACK_PATH, AT, api_key, bearer, disclose, rights_app

from databorder.auth.services import ServiceKeys
from databorder.rights import RightsRequests, new_secret
from databorder.rights.types import Receipt
from databorder.runtime import Runtime
from factories import T0, add_buyer, add_consent, add_order


def _erase(rt: Runtime) -> Receipt:
    with rt.sessions.begin() as s:
        return RightsRequests(s, rt.vault).erase("b-1", AT + timedelta(days=1))


@pytest.fixture
def two_tasks(world: Runtime) -> dict[str, str]:
    """An erasure with a task for each of the two sellers: recipient id -> task id."""
    with world.sessions.begin() as s:
        add_order(s, world, "o-3", seller="s-cn-2")
        add_consent(s, "c-2", recipients=["s-cn-2"])
        add_consent(s, "c-p2", kind="third_party_provision", recipients=["s-cn-2"])
    disclose(world)
    disclose(world, "o-3", "s-cn-2")
    return {t.recipient.id: t.id for t in _erase(world).tasks}


def test_a_recipient_cannot_acknowledge_another_recipients_task(
    world: Runtime, app_client: TestClient, two_tasks: dict[str, str]
) -> None:
    mine, theirs = api_key(world, "s-cn-1"), two_tasks["s-cn-2"]
    refused = app_client.post(ACK_PATH.format(task_id=theirs), headers=bearer(mine))
    unknown = app_client.post(ACK_PATH.format(task_id="no-such-task"), headers=bearer(mine))
    assert refused.status_code == unknown.status_code == 404
    assert refused.json()["detail"] == f"rights task {theirs!r} not found"
    own = app_client.post(ACK_PATH.format(task_id=two_tasks["s-cn-1"]), headers=bearer(mine))
    assert own.status_code == 200, own.text
    assert own.json()["request_state"] == "in_progress"  # s-cn-2 has not acknowledged yet
    other = app_client.post(
        ACK_PATH.format(task_id=theirs), headers=bearer(api_key(world, "s-cn-2"))
    )
    assert other.json()["request_state"] == "completed"


def test_acknowledging_needs_a_recipients_api_key(
    app_client: TestClient, two_tasks: dict[str, str]
) -> None:
    path = ACK_PATH.format(task_id=two_tasks["s-cn-1"])
    missing = app_client.post(path, headers={"Authorization": ""})
    wrong = app_client.post(path, headers=bearer("dbk_not-a-key"))
    service = app_client.post(path)  # the fixture's service key is not a recipient's
    assert missing.status_code == wrong.status_code == service.status_code == 401


@pytest.fixture
def platform_only(world: Runtime) -> Iterator[TestClient]:
    with world.sessions.begin() as s:
        key = ServiceKeys(s).issue("marketplace", ["platform"], T0)
    with TestClient(rights_app(world), headers=bearer(key)) as client:
        yield client


def test_the_officer_routes_need_the_officer_scope(
    platform_only: TestClient, two_tasks: dict[str, str]
) -> None:
    task = two_tasks["s-cn-1"]
    answers = [
        platform_only.get("/v1/rights/overdue"),
        platform_only.put(
            "/v1/recipients/s-cn-1/webhook",
            json={"url": "https://hooks.example.cn/x", "secret": new_secret()},
        ),
        platform_only.post(f"/v1/rights/tasks/{task}/redeliver"),
        platform_only.post("/v1/rights/requests/r-1/answer", json={"text": "x"}),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403, 403]


def test_overdue_lists_open_requests_past_their_deadline(
    world: Runtime, two_tasks: dict[str, str]
) -> None:
    with world.sessions.begin() as s:
        key = ServiceKeys(s).issue("officer", ["officer"], T0)

    def overdue_at(at: datetime) -> list[dict[str, Any]]:
        # The clock seam: every adapter of this app reads `at` as now.
        with TestClient(
            rights_app(replace(world, clock=lambda: at)), headers=bearer(key)
        ) as client:
            answer: list[dict[str, Any]] = client.get("/v1/rights/overdue").json()
        return answer

    deadline = AT + timedelta(days=11)  # erased a day after AT, ten days to answer
    assert overdue_at(deadline) == []
    (request,) = overdue_at(deadline + timedelta(seconds=1))
    assert request["kind"] == "erasure"
    assert request["state"] == "in_progress"
    assert {t["recipient_id"]: t["overdue"] for t in request["tasks"]} == {
        "s-cn-1": True,
        "s-cn-2": True,
    }
    assert {t["channel"] for t in request["tasks"]} == {"email"}


def test_an_officer_registers_a_webhook_and_the_secret_is_never_shown(
    app_client: TestClient,
) -> None:
    secret = new_secret()
    answer = app_client.put(
        "/v1/recipients/s-cn-1/webhook",
        json={"url": "https://hooks.example.cn/db", "secret": secret},
    )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"recipient_id", "url", "created_at", "updated_at"}
    assert secret not in answer.text
    again = app_client.put(
        "/v1/recipients/s-cn-1/webhook",
        json={"url": "https://hooks.example.cn/v2", "secret": secret},
    )
    assert again.json()["url"] == "https://hooks.example.cn/v2"
    assert again.json()["created_at"] == answer.json()["created_at"]


def test_a_webhook_must_be_https_with_a_standard_secret(app_client: TestClient) -> None:
    bad = app_client.put(
        "/v1/recipients/s-cn-1/webhook",
        json={"url": "http://hooks.example.cn/db", "secret": "whsec_c2hvcnQ="},
    )
    assert bad.status_code == 422
    reasons = {e["field"]: e["reason"] for e in bad.json()["errors"]}
    assert reasons == {
        "url": "expected https:// (plain http only on the loopback interface), got "
        "'http://hooks.example.cn/db'",
        "secret": "expected 24 to 64 random bytes, got 5",
    }
    loopback = app_client.put(
        "/v1/recipients/s-cn-1/webhook",
        json={"url": "http://127.0.0.1:9/hook", "secret": new_secret()},
    )
    assert loopback.status_code == 200
    missing = app_client.put(
        "/v1/recipients/nobody/webhook", json={"url": "https://x.example", "secret": new_secret()}
    )
    assert missing.status_code == 404


def test_an_officer_redelivers_a_task_and_answers_a_complaint(
    world: Runtime, app_client: TestClient, two_tasks: dict[str, str]
) -> None:
    task = two_tasks["s-cn-1"]
    redelivered = app_client.post(f"/v1/rights/tasks/{task}/redeliver")
    assert redelivered.json() == {"task_id": task, "state": "pending"}
    app_client.post(ACK_PATH.format(task_id=task), headers=bearer(api_key(world, "s-cn-1")))
    assert app_client.post(f"/v1/rights/tasks/{task}/redeliver").status_code == 409

    with world.sessions.begin() as s:
        add_buyer(s, world, "b-2")
        complaint = RightsRequests(s, world.vault).complain(
            "b-2", "택배 송장에 이름이 보입니다", AT
        )
    answered = app_client.post(
        f"/v1/rights/requests/{complaint.id}/answer", json={"text": "마스킹하도록 조치했습니다."}
    )
    assert answered.status_code == 200, answered.text
    assert (answered.json()["state"], answered.json()["answer"]) == (
        "completed",
        "마스킹하도록 조치했습니다.",
    )
    not_a_complaint = app_client.post(
        f"/v1/rights/requests/{_erasure_id(world)}/answer", json={"text": "x"}
    )
    assert not_a_complaint.status_code == 409


def _erasure_id(rt: Runtime) -> str:
    with rt.sessions() as s:
        (erasure,) = RightsRequests(s, rt.vault).for_subject("b-1")
    return erasure.id


def test_every_rights_route_documents_its_problems(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    ours = {
        ("POST", "/v1/seller/rights/{task_id}/ack"): {"200", "401", "404", "422", "500"},
        ("GET", "/v1/rights/overdue"): {"200", "401", "403", "422", "500"},
        ("PUT", "/v1/recipients/{recipient_id}/webhook"): {
            "200",
            "401",
            "403",
            "404",
            "422",
            "500",
        },
        ("POST", "/v1/rights/tasks/{task_id}/redeliver"): {
            "200",
            "401",
            "403",
            "404",
            "409",
            "422",
            "500",
        },
        ("POST", "/v1/rights/requests/{request_id}/answer"): {
            "200",
            "401",
            "403",
            "404",
            "409",
            "422",
            "500",
        },
    }
    for (method, path), statuses in ours.items():
        responses = paths[path][method.lower()]["responses"]
        assert set(responses) == statuses, (method, path)
        for status in statuses - {"200"}:
            assert list(responses[status]["content"]) == ["application/problem+json"], status
