"""Request bodies are capped (DATABORDER_MAX_BODY_BYTES) before anything reads them in full.

Before the cap, a 100 MB body sent to a route that then answered 401 was read into memory in
full first: FastAPI reads and parses a route's body before it checks the credentials. These
tests drive the ASGI app directly, so they count exactly the bytes the app asked for.
"""

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from databorder.api.app import create_app
from databorder.runtime import Runtime, build
from databorder.settings import Settings

CAP = 64 * 1024
CHUNK = 16 * 1024
HUNDRED_MB = 100 * 1024 * 1024


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    rt: Runtime = build(settings.model_copy(update={"max_body_bytes": CAP}))
    yield create_app(rt)
    rt.db.dispose()


class Upload:
    """An ASGI `receive` handing out `total` bytes in chunks, counting what was taken."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.given = 0

    async def __call__(self) -> dict[str, Any]:
        if self.given >= self.total:
            await anyio.sleep(3600)  # a client that has sent everything waits for the answer
        size = min(CHUNK, self.total - self.given)
        self.given += size
        return {"type": "http.request", "body": b"x" * size, "more_body": self.given < self.total}


def _post(app: FastAPI, path: str, upload: Upload, headers: list[tuple[bytes, bytes]]) -> Any:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("203.0.113.9", 40000),
        "server": ("testserver", 80),
    }

    async def run() -> None:
        with anyio.fail_after(60):
            await app(scope, upload, send)

    anyio.run(run)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


def test_a_streamed_100_mb_body_stops_at_the_cap_before_the_401(app: FastAPI) -> None:
    upload = Upload(HUNDRED_MB)  # chunked: no Content-Length to go by
    status, headers, body = _post(app, "/v1/disclosures", upload, [])
    assert upload.given <= CAP + CHUNK, f"read {upload.given:,} bytes of a {CAP:,}-byte cap"
    assert status == 413
    assert headers[b"content-type"] == b"application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 413
    assert problem["type"] == "https://databorder.dev/problems/too-large"
    assert str(CAP) in problem["detail"]


def test_a_declared_length_over_the_cap_is_refused_without_reading_a_byte(app: FastAPI) -> None:
    upload = Upload(HUNDRED_MB)
    length = [(b"content-length", str(HUNDRED_MB).encode())]
    status, headers, body = _post(app, "/v1/officer/login", upload, length)
    assert upload.given == 0, f"read {upload.given:,} bytes"
    assert status == 413
    assert headers[b"connection"] == b"close"  # the rest of the body is not waited for
    assert json.loads(body)["type"] == "https://databorder.dev/problems/too-large"


def test_bodies_within_the_cap_are_served_as_before(app: FastAPI) -> None:
    with TestClient(app) as client:
        within = client.post("/v1/officer/login", json={"username": "ghost", "password": "p" * 150})
        assert within.status_code == 401
        over = client.post("/v1/officer/login", content=b"{" + b" " * CAP + b"}")
        assert over.status_code == 413
        assert over.json()["type"] == "https://databorder.dev/problems/too-large"
