"""The server's log cannot be forged and names no buyer, order or relay number (issue 11, 3 and 4).

Both ways of starting it are run for real, on a free loopback port: `databorder serve`, and the
uvicorn command docs/deploy.md documents (read from the document itself). Whatever they write,
on stdout or stderr, must be JSON objects one a line, in our own shape; the raw path and query
values sent to them must appear nowhere; and an exception whose message carries a newline and a
fake JSON line must be logged by its class and route template only.
"""

import json
import logging
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from databorder.api.observability import JsonFormatter, log_config
from databorder.runtime import init_keys, migrate
from databorder.settings import Settings

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
FORGED = '{"time":"2026-01-01T00:00:00+00:00","level":"info","logger":"uvicorn","message":"FORGED"}'
SECRETS = ("0505-1234-5678", "o-secret-4711", "b-secret-4712", "FORGED")
KEYS = {"time", "level", "logger", "message"}

# A factory around the documented one, adding a route that fails with the raw query value in its
# message: the way `GET /v1/recipients?role=...` once put a caller's newline into the log.
FAILING_FACTORY = """
from fastapi import APIRouter

from databorder.api.observability import TemplatedRoute
from databorder.api.server import app as documented


def app():
    served = documented()
    router = APIRouter(route_class=TemplatedRoute)

    @router.get("/v1/failing")
    def failing(q: str) -> None:
        raise ValueError(q)

    served.include_router(router)
    served.router.routes.insert(0, served.router.routes.pop())  # before the web catch-alls
    return served
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite database and its keys, as the environment a server starts with."""
    base = tmp_path_factory.mktemp("log-safety")
    settings = Settings(database_url=f"sqlite:///{base / 'databorder.db'}", key_dir=base / "keys")
    init_keys(settings)
    migrate(settings)
    (base / "failing.py").write_text(FAILING_FACTORY, "utf-8")
    return {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
        "DATABORDER_MAIL_DIR": str(base / "mail"),
        "APP_DIR": str(base),
        "NO_COLOR": "1",
    }


@dataclass
class Served:
    records: list[dict[str, Any]]
    text: str
    answers: dict[str, httpx2.Response]


def _serve(command: list[str], env: dict[str, str], port: int, out: Path) -> Served:
    """Start `command`, send the hostile requests once it is ready, stop it, read its output."""
    with (out / "stdout").open("wb") as stdout, (out / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr, start_new_session=True
        )
        answers: dict[str, httpx2.Response] = {}
        try:
            url = f"http://127.0.0.1:{port}"
            with httpx2.Client(base_url=url, timeout=10.0) as http:
                deadline = time.monotonic() + 60
                while True:
                    assert process.poll() is None, (out / "stderr").read_text("utf-8")
                    try:
                        answers["health"] = http.get("/health")
                        break
                    except httpx2.TransportError:
                        assert time.monotonic() < deadline, "the server did not start"
                        time.sleep(0.1)
                answers["query"] = http.get("/v1/recipients", params={"x": "\n" + FORGED})
                answers["relay"] = http.get("/v1/relay/0505-1234-5678")
                answers["order"] = http.get("/v1/seller/orders/o-secret-4711/data")
                answers["buyer"] = http.delete("/v1/buyers/b-secret-4712")
                answers["failing"] = http.get("/v1/failing", params={"q": "\n" + FORGED + "\n"})
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    text = (out / "stdout").read_text("utf-8") + (out / "stderr").read_text("utf-8")
    records = []
    for line in text.splitlines():
        record = json.loads(line)  # fails on any line that is not JSON
        assert isinstance(record, dict), line
        assert set(record) >= KEYS, line
        records.append(record)
    return Served(records, text, answers)


def _assert_safe(served: Served) -> None:
    for secret in SECRETS:
        assert secret not in served.text
    assert all(record["message"] != "FORGED" for record in served.records)
    assert all(record["logger"] != "uvicorn.access" for record in served.records)
    routes = {record.get("route") for record in served.records if record["message"] == "request"}
    assert {"/v1/relay/{value}", "/v1/seller/orders/{order_id}/data"} <= routes
    assert any(record["logger"].startswith("uvicorn") for record in served.records)
    for answer in served.answers.values():
        assert "server" not in answer.headers


@pytest.fixture(scope="module")
def served_by_the_cli(
    environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Served:
    port = _free_port()
    command = [str(BIN / "databorder"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return _serve(command, environment, port, tmp_path_factory.mktemp("cli"))


def documented_command() -> list[str]:
    """The uvicorn command docs/deploy.md tells an operator to run."""
    deploy = (ROOT / "docs" / "deploy.md").read_text("utf-8").replace("\\\n", " ")
    lines = [line for line in deploy.splitlines() if line.startswith("uvicorn --factory ")]
    assert len(lines) == 1, lines
    return shlex.split(lines[0], comments=True)


@pytest.fixture(scope="module")
def served_as_documented(
    environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Served:
    port = _free_port()
    command = documented_command()
    command[0] = str(BIN / "uvicorn")
    command[command.index("--port") + 1] = str(port)
    command[command.index("--workers") + 1] = "2"  # the supervisor's lines, on a small machine
    factory = command.index("databorder.api.server:app")
    command[factory : factory + 1] = ["failing:app", "--app-dir", environment["APP_DIR"]]
    return _serve(command, environment, port, tmp_path_factory.mktemp("documented"))


def test_databorder_serve_writes_json_lines_without_identifiers(served_by_the_cli: Served) -> None:
    _assert_safe(served_by_the_cli)
    assert served_by_the_cli.answers["failing"].status_code == 404  # no such route there


def test_the_documented_uvicorn_command_writes_json_lines_without_identifiers(
    served_as_documented: Served,
) -> None:
    _assert_safe(served_as_documented)
    # the supervisor's own lines, in the parent process, came through the log config too
    assert any("parent process" in r["message"] for r in served_as_documented.records)


def test_an_exception_is_logged_by_its_class_and_route_template(
    served_as_documented: Served,
) -> None:
    assert served_as_documented.answers["failing"].status_code == 500
    failed = [r for r in served_as_documented.records if r.get("error") == "ValueError"]
    assert failed
    assert all(set(r) <= KEYS | {"error", *JsonFormatter.FIELDS} for r in failed)
    assert any(r.get("route") == "/v1/failing" and r.get("status") == 500 for r in failed)


def test_a_value_cannot_break_a_line() -> None:
    """Newlines, separators a log viewer may break on, and terminal escapes come out escaped."""
    hostile = "a\nb\r\u2028c\u2029d\x1b[31me\u202ef\x00"
    record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, hostile, None, None)
    line = JsonFormatter().format(record)
    assert line.isascii()
    assert line.isprintable()
    assert json.loads(line)["message"] == hostile


def test_an_exception_message_is_never_logged() -> None:
    try:
        raise ValueError("\n" + FORGED)
    except ValueError:
        record = logging.LogRecord(
            "databorder", logging.ERROR, __file__, 1, "request failed", None, sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "FORGED" not in line
    assert json.loads(line)["error"] == "ValueError"


def test_the_shipped_uvicorn_log_config_is_the_one_the_service_uses() -> None:
    documented = documented_command()
    path = ROOT / documented[documented.index("--log-config") + 1]
    assert json.loads(path.read_text("utf-8")) == log_config()


def test_the_documented_command_turns_the_banner_and_the_access_log_off() -> None:
    command = documented_command()
    assert "--no-server-header" in command
    assert "--no-access-log" in command
