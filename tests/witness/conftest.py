"""Two real witnesses on loopback (uvicorn, each with its own key and SQLite store) and a log
runtime configured to submit to them; on SQLite and PostgreSQL."""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from witness_factories import Running

from databorder.ledger.note import SignatureType, Verifier
from databorder.ledger.signing import create_signing_key
from databorder.runtime import Runtime, build
from databorder.settings import Settings
from databorder.witness.app import build_witness, make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def log_vkey(settings: Settings) -> str:
    from databorder.ledger.signing import load_signing_key  # noqa: PLC0415

    key = load_signing_key(settings.log_signing_key_path)
    return Verifier.of(settings.log_origin, SignatureType.ED25519, key.public_key()).vkey


@pytest.fixture
def witnesses(tmp_path: Path, log_vkey: str) -> Iterator[list[Running]]:
    servers, threads, running = [], [], []
    for n in (1, 2):
        key = tmp_path / f"witness{n}.key"
        create_signing_key(key)
        witness = build_witness(
            f"witness.example/w{n}", key, [log_vkey], f"sqlite:///{tmp_path}/witness{n}.db"
        )
        port = _free_port()
        config = uvicorn.Config(make_app(witness), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append(server)
        threads.append(thread)
        running.append(Running(witness, f"http://127.0.0.1:{port}"))
    deadline = time.monotonic() + 10
    while not all(s.started for s in servers):
        if time.monotonic() > deadline:
            raise RuntimeError("the witnesses did not start")
        time.sleep(0.02)
    yield running
    for server in servers:
        server.should_exit = True
    for thread in threads:
        thread.join(timeout=10)
    for witness in running:
        witness.witness.store.engine.dispose()


@pytest.fixture
def witnessed(settings: Settings, witnesses: list[Running]) -> Iterator[Runtime]:
    rt = build(settings.model_copy(update={"witnesses": [w.spec for w in witnesses]}))
    yield rt
    rt.db.dispose()
