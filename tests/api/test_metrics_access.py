"""/metrics answers the monitoring networks or a key with the metrics scope, and costs no query.

It used to answer anyone, counting the grants table (`count(*)`) and reading the log's size in
a write transaction on every scrape: eight loops on it cut committed disclosures from 242/s to
12.9/s. Its database gauges are now refreshed by a thread of their own, off the request path.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from databorder.api.app import create_app
from databorder.auth.services import ServiceKeys
from databorder.runtime import Runtime, build
from databorder.settings import Settings
from factories import T0

OUTSIDE = ("203.0.113.5", 40000)  # not in the default networks (loopback)
MONITORING = ("10.20.0.7", 40000)


@pytest.fixture
def rt(settings: Settings) -> Iterator[Runtime]:
    runtime = build(settings.model_copy(update={"metrics_networks": ["10.20.0.0/16", "::1"]}))
    yield runtime
    runtime.db.dispose()


def _key(rt: Runtime, *scopes: str) -> dict[str, str]:
    with rt.sessions.begin() as s:
        return {"Authorization": "Bearer " + ServiceKeys(s).issue("monitor", scopes, T0)}


def test_a_caller_outside_the_networks_without_a_key_is_refused(rt: Runtime) -> None:
    with TestClient(create_app(rt), client=OUTSIDE) as client:
        refused = client.get("/metrics")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "https://databorder.dev/problems/forbidden"
    assert "databorder_" not in refused.text


def test_the_monitoring_network_needs_no_key(rt: Runtime) -> None:
    with TestClient(create_app(rt), client=MONITORING) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert "databorder_http_request_seconds" in answer.text


def test_a_key_with_the_metrics_scope_is_let_in_from_anywhere(rt: Runtime) -> None:
    app = create_app(rt)
    with TestClient(app, client=OUTSIDE) as client:
        assert client.get("/metrics", headers=_key(rt, "metrics")).status_code == 200
        assert client.get("/metrics", headers=_key(rt, "platform")).status_code == 403
        unknown = client.get("/metrics", headers={"Authorization": "Bearer dbs_nothing"})
        assert unknown.status_code == 401


@contextmanager
def _statements(rt: Runtime) -> Iterator[list[str]]:
    """The SQL run on the runtime's engine while inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(rt.db, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(rt.db, "before_cursor_execute", record)


def _wait_for_first_refresh(app: FastAPI) -> None:
    deadline = time.monotonic() + 10
    while app.state.gauges.refreshed_at is None:
        assert time.monotonic() < deadline, "the gauges were never refreshed"
        time.sleep(0.01)


def test_a_scrape_runs_no_query_at_all(rt: Runtime) -> None:
    app = create_app(rt)
    with TestClient(app, client=MONITORING) as client:
        _wait_for_first_refresh(app)
        with _statements(rt) as seen:
            for _ in range(5):
                assert client.get("/metrics").status_code == 200
            assert seen == []  # no count(*), no log size, no transaction: memory only


def test_the_gauges_follow_the_database_when_refreshed(world: Runtime) -> None:
    app = create_app(world)
    with TestClient(app, client=("127.0.0.1", 40000)) as client:  # the default: loopback
        _wait_for_first_refresh(app)
        assert "databorder_log_leaves 0.0" in client.get("/metrics").text
        with world.sessions.begin() as s:
            key = ServiceKeys(s).issue("shop", ["platform"], T0)
        disclosed = client.post(
            "/v1/disclosures",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "order_id": "o-1",
                "recipient_id": "s-cn-1",
                "purpose": "shipping",
                "items": ["name"],
            },
        )
        assert disclosed.status_code == 201
        app.state.gauges.refresh()  # what the thread does every few seconds
        text = client.get("/metrics").text
    assert "databorder_log_leaves 1.0" in text
    assert "databorder_gauges_refreshed_timestamp_seconds" in text
