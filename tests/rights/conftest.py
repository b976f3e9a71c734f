"""Fixtures for the rights tests: the API with the rights routes, a real webhook receiver on
loopback, and a dispatcher writing mail to a temporary directory.

Tests in this folder run against SQLite and against a real PostgreSQL server: tracking numbers
and the dispatcher's claims take each database's own path.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rights_factories import Receiver, bearer, rights_app

from databorder.auth.services import Scope, ServiceKeys
from databorder.rights import Dispatcher, HttpWebhooks, MailDirectory, RetryPolicy, new_secret
from databorder.runtime import Runtime
from factories import T0


@pytest.fixture(params=["sqlite", "postgresql", "citus"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app_client(world: Runtime) -> Iterator[TestClient]:
    """The app with the rights routes, and a service key holding every scope."""
    with world.sessions.begin() as s:
        key = ServiceKeys(s).issue("rights tests", [sc.value for sc in Scope], T0)
    with TestClient(rights_app(world), headers=bearer(key)) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(secret=new_secret())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            status = state.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/databorder"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def dispatcher(mail_dir: Path) -> Dispatcher:
    return Dispatcher(
        HttpWebhooks(timeout=2.0),
        MailDirectory(mail_dir),
        mail_from="privacy@market.example",
        retry=RetryPolicy(max_attempts=4),
        api_base_url="https://databorder.example",
    )
