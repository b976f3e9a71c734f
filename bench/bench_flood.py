"""Committed disclosures per second while unauthenticated callers flood the service.

Issue 11, finding 5: eight loops on `POST /v1/officer/login` cut the disclosure rate from 242/s
to 6.5/s, eight on `GET /metrics` to 12.9/s, because on SQLite every session took the write lock
(reads included) and login ran scrypt inside it. This measures the same three phases against a
real `uvicorn --factory databorder.api.server:app` on loopback, SQLite, with one worker and
then with two (as deployed: `--workers N`; two workers' writers queue on a file lock):
1. a steady disclosure load alone: `LOAD_CONNECTIONS` keep-alive connections, each posting the
   synthetic world's disclosure requests one after another (a closed loop);
2. the same load while `FLOOD_LOOPS` connections post wrong passwords for a real officer to
   /v1/officer/login as fast as they are answered;
3. the same load while `FLOOD_LOOPS` connections scrape /metrics as fast as they are answered;
4. for reference, the same with `FLOOD_LOOPS` loops on /health, which does no work at all: the
   share of the machine any flood of cheap answers takes when its loops run on the same cores.
The load and the flood run in separate processes (each with its own GIL) on the machine's two
cores, which the server shares with them; wrk is not needed. The flood comes from loopback,
which may scrape /metrics without a key by default (DATABORDER_METRICS_NETWORKS), so phase 3
is a flood the service must serve, not one it refuses.

Run: `.venv/bin/python bench/bench_flood.py [--quick] [--before DIR]`; with `--before`, the
same phases also run against the code in DIR/src (e.g. `git archive HEAD | tar -x -C DIR`),
in turn with this checkout's, and the report compares the two.
"""

import asyncio
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench_gateway import _free_port, _settings, _world_asks
from databorder.auth.services import Officers, ServiceKeys
from databorder.runtime import build
from databorder.settings import Settings

LOAD_CONNECTIONS = 8
FLOOD_LOOPS = 8
WORKERS = (1, 2)
PHASES = (("alone", None), ("login", "login"), ("metrics", "metrics"), ("health", "health"))
OFFICER = ("cpo.bench", "correct horse battery staple 11")
ISSUE_BEFORE = {"alone": "242", "login": "6.5", "metrics": "12.9", "health": ""}  # issue 11


# --- a minimal HTTP/1.1 keep-alive client (asyncio streams) ---------------------------------


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bool]:
    """Send one request, read its whole answer: (status, whether the server keeps the line)."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() != "close"


def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _loop(
    port: int, requests: Sequence[bytes], offset: int, until: float, counts: Counter[int]
) -> None:
    """One connection sending `requests` in turn (from `offset`) until `until`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = offset
    try:
        while time.monotonic() < until:
            status, keep = await _exchange(reader, writer, requests[n % len(requests)])
            counts[status] += 1
            n += 1
            if not keep:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _drive(port: int, requests: Sequence[bytes], loops: int, seconds: float) -> Counter[int]:
    counts: Counter[int] = Counter()
    until = time.monotonic() + seconds
    step = max(1, len(requests) // loops)
    await asyncio.gather(*(_loop(port, requests, i * step, until, counts) for i in range(loops)))
    return counts


def _drive_in_process(
    port: int, requests: Sequence[bytes], loops: int, seconds: float, out: Any
) -> None:
    """A process's entry point (spawned): drive `loops` connections, send back the counts."""
    out.send(dict(asyncio.run(_drive(port, requests, loops, seconds))))


# --- the server and the world ---------------------------------------------------------------


@contextmanager
def _server(settings: Settings, workers: int, source: Path | None) -> Iterator[int]:
    """uvicorn on loopback with `workers` workers, serving this checkout or the code in `source`."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
        "DATABORDER_SWEEP_INTERVAL_SECONDS": "0",
        "DATABORDER_NOTICE_BATCH_DAYS": "0",
    }
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "databorder.api.server:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=source or Path.cwd(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                asyncio.run(_drive(port, [_request("GET", "/health", {})], 1, 0.01))
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _disclosure_requests(settings: Settings, quick: bool) -> list[bytes]:
    rt = build(settings)
    try:
        asks = _world_asks(rt, *((400, 60, 1200) if quick else (2000, 300, 6000)))
        with rt.sessions.begin() as session:
            key = ServiceKeys(session).issue("bench", ["platform"], rt.now())
            Officers(session).add(OFFICER[0], OFFICER[1], ["officer"], rt.now())
    finally:
        rt.db.dispose()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return [
        _request(
            "POST",
            "/v1/disclosures",
            headers,
            json.dumps(
                {
                    "order_id": ask.order_id,
                    "recipient_id": ask.recipient_id,
                    "purpose": ask.purpose.value,
                    "items": [item.value for item in ask.items],
                }
            ).encode(),
        )
        for ask, _ in asks
    ]


FLOODS: dict[str, list[bytes]] = {
    "login": [
        _request(
            "POST",
            "/v1/officer/login",
            {"Content-Type": "application/json"},
            json.dumps({"username": OFFICER[0], "password": "a wrong guess 123"}).encode(),
        )
    ],
    "metrics": [_request("GET", "/metrics", {})],
    # The reference: a route that does no work at all. What a flood of it costs the load is
    # what any flood of cheap answers costs a worker sharing two cores with its clients.
    "health": [_request("GET", "/health", {})],
}


def _phase(port: int, load: Sequence[bytes], flood: str | None, seconds: float) -> dict[str, Any]:
    """Disclosures per second (201 answers) for `seconds`, with `flood` running beside them."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    flooding = None
    if flood is not None:
        flooding = context.Process(
            target=_drive_in_process,
            args=(port, FLOODS[flood], FLOOD_LOOPS, seconds + 2, sender),
        )
        flooding.start()
        time.sleep(1.0)  # the flood is running before the load is measured
    counts = asyncio.run(_drive(port, load, LOAD_CONNECTIONS, seconds))
    figures: dict[str, Any] = {
        "disclosures_per_s": counts[201] / seconds,
        "load_statuses": dict(sorted(counts.items())),
    }
    if flooding is not None:
        flood_counts = receiver.recv()
        flooding.join()
        figures["flood_per_s"] = sum(flood_counts.values()) / (seconds + 2)
        figures["flood_statuses"] = dict(sorted(flood_counts.items()))
    return figures


def _phases(
    settings: Settings, load: Sequence[bytes], workers: int, source: Path | None, seconds: float
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with _server(settings, workers, source) as port:
        asyncio.run(_drive(port, load, LOAD_CONNECTIONS, 2.0))  # warm up
        for name, flood in PHASES:
            phase = figures[name] = _phase(port, load, flood, seconds)
            line = f"    {name}: {phase['disclosures_per_s']:,.1f} disclosures/s"
            if flood is not None:
                line += (
                    f" while {FLOOD_LOOPS} loops on {flood} got "
                    f"{phase['flood_per_s']:,.0f} answers/s {phase['flood_statuses']}"
                )
            print(line + f"; load answers {phase['load_statuses']}")
    return figures


def run(quick: bool = False, before: Path | None = None) -> dict[str, Any]:
    """Figures for this checkout, and with `before` (a source tree) for its code as well.

    The two are measured in turn for each worker count, on one database (the same world, grown
    by the runs before), so they share the machine's conditions as far as that goes.
    """
    seconds = 5.0 if quick else 15.0
    base = Path(tempfile.mkdtemp(prefix="databorder-bench-flood-"))
    try:
        settings = _settings(base, f"sqlite:///{base / 'flood.db'}")
        load = _disclosure_requests(settings, quick)
        print(f"flood: {len(load)} disclosure requests, {seconds:.0f} s a phase")
        results: dict[str, Any] = {"seconds": seconds, "before": {}, "after": {}}
        for workers in WORKERS:
            for label, source in (("before", before), ("after", None)):
                if label == "before" and source is None:
                    continue
                print(f"  {label}, {workers} worker(s):")
                results[label][workers] = _phases(settings, load, workers, source, seconds)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    results["markdown"] = _markdown(results)
    return results


def _lost(alone: dict[str, Any], phase: dict[str, Any]) -> str:
    """Disclosures lost per flood answer: what one flood request cost the load."""
    lost = alone["disclosures_per_s"] - phase["disclosures_per_s"]
    return f"{lost / phase['flood_per_s']:.2f}" if phase.get("flood_per_s") else ""


def _cells(figures: dict[str, Any], name: str, statuses: bool) -> list[str]:
    phase = figures[name]
    flood = ""
    if "flood_per_s" in phase:
        flood = f"{phase['flood_per_s']:,.0f}"
        if statuses:
            flood += " (" + ", ".join(f"{s}: {n:,}" for s, n in phase["flood_statuses"].items())
            flood += ")"
    return [f"{phase['disclosures_per_s']:,.1f}", flood, _lost(figures["alone"], phase)]


def _markdown(r: dict[str, Any]) -> str:
    compared = bool(r["before"])
    rows = [
        "## Unauthenticated floods (`bench/bench_flood.py`)",
        "",
        f"Committed disclosures per second on SQLite, uvicorn with 1 and 2 workers on loopback, "
        f"{LOAD_CONNECTIONS} keep-alive connections posting the synthetic world's disclosure "
        f"requests in a closed loop, {r['seconds']:.0f} s a phase; beside them, in another "
        f"process, {FLOOD_LOOPS} connections looping on one unauthenticated route as fast as "
        "it answers. Client and server share the machine's 2 cores, so a flood answered faster "
        "also takes more of them: *lost per answer* (disclosures a second lost, per flood answer "
        "a second) is what one flood request costs the load, the figure to compare."
        + (
            " `before` is the same benchmark against the code before these changes "
            "(`--before DIR`), measured in turn with `after` for each worker count."
            if compared
            else ""
        ),
        "",
    ]
    head = ["workers", ""]
    if compared:
        head += ["before: disclosures/s", "flood answers/s", "lost per answer"]
    head += [
        "after: disclosures/s" if compared else "disclosures/s",
        "flood answers/s (by status)",
        "lost per answer",
        "issue 11, before",
    ]
    rows.append("| " + " | ".join(head) + " |")
    rows.append("|---:|---|" + "---:|" * (len(head) - 2))
    labels = {
        "alone": "disclosures alone",
        "login": f"with {FLOOD_LOOPS} loops on POST /v1/officer/login (wrong password)",
        "metrics": f"with {FLOOD_LOOPS} loops on GET /metrics",
        "health": f"with {FLOOD_LOOPS} loops on GET /health (reference: no work at all)",
    }
    for workers in WORKERS:
        for name, _ in PHASES:
            cells = [str(workers), labels[name]]
            if compared:
                cells += _cells(r["before"][workers], name, statuses=False)
            cells += [*_cells(r["after"][workers], name, statuses=True), ISSUE_BEFORE[name]]
            rows.append("| " + " | ".join(cells) + " |")
    rows += [
        "",
        "What changed: reads (credential checks, GET routes, /metrics, a sign-in's lookup) run "
        "in read sessions that on SQLite begin DEFERRED outside the writer queue; scrypt runs "
        "outside any transaction; sign-in is throttled per address (10 a minute) and locked per "
        "account after 5 failures (kept in the database), so most of the login flood is "
        "answered 429 without a password check; /metrics formats counters and gauges held in "
        "memory (the gauges read from the database by a thread every 15 s, the text at most "
        "once a second).",
    ]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    before = None
    if "--before" in sys.argv:
        before = Path(sys.argv[sys.argv.index("--before") + 1]).resolve()
    out = run(quick="--quick" in sys.argv, before=before)
    print(out["markdown"])
