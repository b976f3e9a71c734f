"""Idempotency-Key: a client retrying a creating request gets the first answer, not a second grant.

Each test runs on SQLite and on a real PostgreSQL server.
"""

import asyncio
import dataclasses
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from databorder.api import idempotency
from databorder.api.app import _sweep_once, create_app
from databorder.api.idempotency_models import IdempotencyRecord
from databorder.auth.services import ServiceKeys
from databorder.errors import DataborderError
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.runtime import Runtime
from databorder.store.db import checkpoint
from factories import add_buyer

HEADER = "Idempotency-Key"
ASK = {
    "order_id": "o-1",
    "recipient_id": "s-cn-1",
    "purpose": "shipping",
    "items": ["name", "phone", "address"],
}


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _key(runtime: Runtime, scopes: tuple[str, ...] = ("platform",), name: str = "checkout") -> str:
    with runtime.sessions.begin() as s:
        return ServiceKeys(s).issue(name, list(scopes), runtime.now())


@pytest.fixture
def platform(world: Runtime) -> Iterator[TestClient]:
    """A client of the world's app holding a platform key; raises nothing, answers 500s."""
    headers = {"Authorization": f"Bearer {_key(world)}"}
    app = create_app(world)
    with TestClient(app, headers=headers, raise_server_exceptions=False) as client:
        yield client


def _count(session: Session, table: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _counts(runtime: Runtime) -> tuple[int, int, int]:
    """(grants, disclosures, idempotency records)."""
    with runtime.sessions() as s:
        return _count(s, AccessGrant), _count(s, Disclosure), _count(s, IdempotencyRecord)


def _fields(answer: httpx2.Response | Any) -> list[str]:
    return [e["field"] for e in answer.json().get("errors", [])]


def test_a_retried_disclosure_answers_the_first_disclosure_and_grants_once(
    world: Runtime, platform: TestClient
) -> None:
    first = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "retry-1"})
    again = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "retry-1"})

    assert first.status_code == again.status_code == 201, again.text
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["cache-control"] == "no-store"
    assert again.json() == first.json()
    assert again.json()["grant"]["token"] == first.json()["grant"]["token"]
    assert _counts(world) == (1, 1, 1)
    # Without a key a retry is a new request, as before: a second grant.
    platform.post("/v1/disclosures", json=ASK)
    assert _counts(world)[:2] == (2, 2)


def test_the_same_key_with_another_body_answers_422_naming_the_header(
    world: Runtime, platform: TestClient
) -> None:
    platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-1"})
    other = platform.post(
        "/v1/disclosures", json={**ASK, "items": ["name"]}, headers={HEADER: "k-1"}
    )

    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert _fields(other) == [HEADER]
    assert "another request" in other.json()["detail"]
    assert _counts(world)[:2] == (1, 1)


@pytest.mark.parametrize(
    "value",
    [b"", b"x" * 256, "키".encode(), b"a\x7fb", b"a\x01b"],
    ids=["empty", "too-long", "not-ascii", "delete", "control"],
)
def test_a_malformed_key_answers_422_naming_the_header(
    world: Runtime, platform: TestClient, value: bytes
) -> None:
    answer = platform.post("/v1/disclosures", json=ASK, headers={HEADER: value})

    assert answer.status_code == 422, answer.text
    assert _fields(answer) == [HEADER]
    assert "1-255 printable ASCII" in answer.json()["errors"][0]["reason"]
    assert _counts(world) == (0, 0, 0)


def test_the_longest_key_is_accepted(world: Runtime, platform: TestClient) -> None:
    key = "~" + "K" * 253 + "!"
    assert len(key) == 255
    assert platform.post("/v1/disclosures", json=ASK, headers={HEADER: key}).status_code == 201


def test_another_credential_with_the_same_key_gets_its_own_answer(
    world: Runtime, platform: TestClient
) -> None:
    mine = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "shared"})
    theirs = platform.post(
        "/v1/disclosures",
        json=ASK,
        headers={HEADER: "shared", "Authorization": f"Bearer {_key(world, name='other')}"},
    )

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["disclosure_id"] != mine.json()["disclosure_id"]
    assert theirs.json()["grant"]["token"] != mine.json()["grant"]["token"]
    assert _counts(world) == (2, 2, 2)


def test_the_same_key_on_another_path_is_another_request(
    world: Runtime, platform: TestClient
) -> None:
    with world.sessions.begin() as s:
        add_buyer(s, world, "b-2")
    first = platform.post("/v1/buyers/b-1/suspend", headers={HEADER: "stop"})
    second = platform.post("/v1/buyers/b-2/suspend", headers={HEADER: "stop"})

    assert first.status_code == second.status_code == 200, second.text
    assert first.json()["id"] == "b-1"
    assert second.json()["id"] == "b-2"
    assert "Idempotent-Replayed" not in second.headers


async def _post_together(app: Any, key: str, count: int) -> list[httpx2.Response]:
    transport = httpx2.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}", HEADER: "together"}
    async with httpx2.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        return list(
            await asyncio.gather(*(c.post("/v1/disclosures", json=ASK) for _ in range(count)))
        )


def test_concurrent_requests_with_one_key_grant_once(world: Runtime) -> None:
    app = create_app(world)
    key = _key(world)
    answers = asyncio.run(_post_together(app, key, 12))

    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    firsts = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    assert len(firsts) == 1
    for busy in (a for a in answers if a.status_code == 409):
        assert busy.headers["Retry-After"] == "1"
        assert busy.headers["content-type"] == "application/problem+json"
        assert "in progress" in busy.json()["detail"]
    for replay in (a for a in answers if "Idempotent-Replayed" in a.headers):
        assert replay.json() == firsts[0].json()
    assert _counts(world) == (1, 1, 1)
    # Once the first is answered, a retry hears its answer.
    (late,) = asyncio.run(_post_together(app, key, 1))
    assert late.status_code == 201
    assert late.headers["Idempotent-Replayed"] == "true"
    assert late.json() == firsts[0].json()


def test_threads_reserving_one_key_at_once_get_it_once(world: Runtime) -> None:
    request = idempotency.keyed("dbs_x", "POST", "/v1/disclosures", "k", b"", b"{}")
    reservations = idempotency.Reservations(world.sessions, world.now, timedelta(hours=1))
    start = threading.Barrier(8)

    def reserve(_: int) -> idempotency.Verdict:
        start.wait()
        return reservations.reserve(request).verdict

    with ThreadPoolExecutor(8) as pool:
        verdicts = sorted(pool.map(reserve, range(8)))

    assert verdicts == sorted([idempotency.Verdict.RESERVED] + [idempotency.Verdict.IN_FLIGHT] * 7)


def test_a_crash_leaves_no_reservation_and_the_retry_runs(
    world: Runtime, platform: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    committer = platform.app.state.disclosures
    submit = committer.submit

    async def crash(item: object) -> object:
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(committer, "submit", crash)
    failed = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-crash"})
    assert failed.status_code == 500
    assert _counts(world) == (0, 0, 0)

    monkeypatch.setattr(committer, "submit", submit)
    retried = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-crash"})
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert _counts(world) == (1, 1, 1)


def test_a_disclosure_keeps_its_answer_in_its_own_transaction(
    world: Runtime, platform: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process killed after the group commit, before the middleware could keep the answer
    (the crash harness's case): the retry replays the first answer, it does not disclose again."""
    monkeypatch.setattr(idempotency.Reservations, "keep", lambda *_: None)  # never got there
    monkeypatch.setattr(idempotency.Reservations, "release", lambda *_: None)
    first = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-killed"})
    assert first.status_code == 201

    again = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-killed"})

    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["grant"]["token"] == first.json()["grant"]["token"]
    assert _counts(world) == (1, 1, 1)


def test_a_5xx_answer_is_not_kept_and_the_retry_runs(
    world: Runtime, platform: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    committer = platform.app.state.disclosures
    submit = committer.submit

    async def unwell(item: object) -> object:
        raise DataborderError("the store is unwell")  # answered as a 500 problem

    monkeypatch.setattr(committer, "submit", unwell)
    failed = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-500"})
    assert failed.status_code == 500
    assert failed.json()["detail"] == "the store is unwell"
    assert _counts(world) == (0, 0, 0)

    monkeypatch.setattr(committer, "submit", submit)
    retried = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-500"})
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


def test_a_4xx_answer_is_kept_and_replayed(world: Runtime, platform: TestClient) -> None:
    ask = {**ASK, "order_id": "o-404"}
    first = platform.post("/v1/disclosures", json=ask, headers={HEADER: "k-404"})
    again = platform.post("/v1/disclosures", json=ask, headers={HEADER: "k-404"})

    assert first.status_code == again.status_code == 404
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json() == first.json()


def test_a_reservation_left_by_a_dead_process_is_taken_over_once_abandoned(
    world: Runtime, platform: TestClient
) -> None:
    credential = platform.headers["Authorization"].removeprefix("Bearer ")
    body = json.dumps(ASK).encode()
    keyed = idempotency.keyed(credential, "POST", "/v1/disclosures", "k-dead", b"", body)
    reservations = idempotency.Reservations(world.sessions, world.now, timedelta(hours=24))
    claim = reservations.reserve(keyed)  # and the process died before it answered
    assert claim.verdict is idempotency.Verdict.RESERVED

    headers = {HEADER: "k-dead", "Content-Type": "application/json"}
    busy = platform.post("/v1/disclosures", content=body, headers=headers)
    assert busy.status_code == 409
    assert busy.headers["Retry-After"] == "1"
    assert _counts(world)[:2] == (0, 0)

    later = world.now() + idempotency.ABANDONED_AFTER + timedelta(seconds=1)
    client = _client_at(world, later, platform)
    taken = client.post("/v1/disclosures", content=body, headers=headers)
    assert taken.status_code == 201, taken.text
    assert "Idempotent-Replayed" not in taken.headers
    again = client.post("/v1/disclosures", content=body, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _counts(world) == (1, 1, 1)


def _client_at(world: Runtime, at: datetime, platform: TestClient) -> TestClient:
    """A second app over the same database whose clock says `at`. Not started as a context:
    its lifespan would start a second checkpointer on the engine the first app's holds."""
    app = create_app(dataclasses.replace(world, clock=lambda: at))
    return TestClient(app, headers=dict(platform.headers))


def _row_bytes(runtime: Runtime) -> bytes:
    with runtime.sessions() as s:
        rows = s.execute(text("SELECT * FROM idempotency_keys")).all()
    parts: list[bytes] = []
    for row in rows:
        for value in row:
            if isinstance(value, bytes | memoryview):
                parts.append(bytes(value))
            else:
                parts.append(str(value).encode())
    return b"\n".join(parts)


def test_the_stored_answer_does_not_hold_the_grant_token(
    world: Runtime, platform: TestClient, database_url: str
) -> None:
    answer = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-secret"}).json()
    token = answer["grant"]["token"].encode()
    stored = _row_bytes(world)

    assert stored  # a row was kept, and in it neither the token nor what identifies the answer
    assert token not in stored
    assert answer["disclosure_id"].encode() not in stored
    assert answer["grant"]["id"].encode() not in stored
    assert b"k-secret" not in stored
    if database_url.startswith("sqlite:///"):  # the files themselves, log included
        checkpoint(world.db)
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                assert token not in file.read_bytes()


def test_expired_keys_are_swept_and_a_key_past_its_time_runs_again(
    world: Runtime, platform: TestClient
) -> None:
    first = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k-old"})
    assert first.status_code == 201
    ttl = timedelta(hours=world.settings.idempotency_ttl_hours)

    _sweep_once(dataclasses.replace(world, clock=lambda: world.now() + ttl / 2))
    assert _counts(world)[2] == 1  # still within its time

    later = world.now() + ttl + timedelta(minutes=1)
    again = _client_at(world, later, platform).post(
        "/v1/disclosures", json=ASK, headers={HEADER: "k-old"}
    )
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers  # forgotten: a new request
    assert again.json()["disclosure_id"] != first.json()["disclosure_id"]

    _sweep_once(dataclasses.replace(world, clock=lambda: later + ttl + timedelta(minutes=1)))
    assert _counts(world)[2] == 0


def test_other_creating_routes_replay_their_first_answer(
    world: Runtime, platform: TestClient
) -> None:
    buyer = {
        "id": "b-9",
        "residence": "KR",
        "pii": {"name": "이영희", "phone": "010-9876-5432", "email": "y@example.kr"},
    }
    first = platform.post("/v1/buyers", json=buyer, headers={HEADER: "b-9"})
    again = platform.post("/v1/buyers", json=buyer, headers={HEADER: "b-9"})
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    # Without the key the same retry is refused as a duplicate.
    assert platform.post("/v1/buyers", json=buyer).status_code == 409


def test_a_caller_without_valid_credentials_reserves_nothing(
    world: Runtime, platform: TestClient
) -> None:
    for authorization in ("Bearer dbs_not-a-key", "Basic Zm9vOmJhcg=="):
        answer = platform.post(
            "/v1/disclosures", json=ASK, headers={HEADER: "k", "Authorization": authorization}
        )
        assert answer.status_code == 401
    answer = platform.post("/v1/disclosures", json=ASK, headers={HEADER: "k", "Authorization": ""})
    assert answer.status_code == 401
    assert _counts(world) == (0, 0, 0)


def test_a_route_that_creates_nothing_ignores_the_header(
    world: Runtime, platform: TestClient
) -> None:
    request = {"version": 2, "pack": "pipa"}  # refused, so twice answers alike
    first = platform.post("/v1/decisions", json=request, headers={HEADER: "d"})
    again = platform.post("/v1/decisions", json=request, headers={HEADER: "d"})
    assert first.status_code == again.status_code
    assert "Idempotent-Replayed" not in again.headers
    assert _counts(world)[2] == 0


def test_every_write_route_is_either_keyed_or_says_why_not(platform: TestClient) -> None:
    writes = {
        (method, route.path)
        for route in iter_route_contexts(platform.app.routes)
        for method in route.methods or ()
        if method in {"POST", "DELETE"} and route.path.startswith("/v1/")
    }  # the API's; the privacy center's forms (/me) are the browser's, guarded by CSRF tokens
    keyed = set(idempotency.CREATING)
    exempt = set(idempotency.NOT_CREATING)
    assert keyed <= writes, keyed - writes
    assert exempt <= writes, exempt - writes
    assert not keyed & exempt
    assert writes == keyed | exempt, writes - keyed - exempt
    assert all(reason for reason in idempotency.NOT_CREATING.values())


def test_the_header_and_its_answers_are_documented(platform: TestClient) -> None:
    schema = platform.get("/openapi.json").json()
    for method, path in idempotency.CREATING:
        operation = schema["paths"][path][method.lower()]
        names = [
            p.get("name") or schema["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
            for p in operation.get("parameters", [])
        ]
        assert HEADER in names, (method, path)
        assert {"409", "422"} <= set(operation["responses"]), (method, path)
        assert "Idempotency-Key" in operation["responses"]["409"]["description"]
    disclosures = schema["paths"]["/v1/disclosures"]["post"]
    assert "Idempotent-Replayed" in disclosures["responses"]["201"]["headers"]
    decisions = schema["paths"]["/v1/decisions"]["post"]
    assert HEADER not in str(decisions.get("parameters", []))
