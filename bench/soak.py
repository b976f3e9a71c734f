"""`make soak`: a bounded soak of the real server at a steady rate, sampled over time.

A demo-like world (the synthetic marketplace, loaded through the real services) in a fresh
SQLite database (or `--database-url`), served by the documented command
(`uvicorn --factory databorder.api.server:app ...` as docs/deploy.md gives it, one worker) on
loopback. An open-loop client sends POST /v1/disclosures at `--rate` per second and seller
reads of granted orders at `--read-rate` per second, for `--duration` seconds. Latency is measured from when a request was
due, not from when it was sent, so a server that falls behind shows it (no coordinated
omission). Every `--sample-seconds` a sample is taken: requests done, errors (non-2xx answers
and connections that failed), p50 and p99 latency of the window, the server process's RSS and
CPU, and the machine's load average (the client and anything else running share the cores).

Out: the samples as CSV, a plot (error rate, latency, RSS, CPU over time) as SVG, and a summary
that compares the last third of the run with the first (after a warm-up): the figures must be
flat. Run: `.venv/bin/python -m bench.soak [--duration 600] [--out docs/reliability]`.
"""

import argparse
import asyncio
import csv
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2

from databorder.auth.services import Scope, ServiceKeys
from databorder.registry.services import RegistryService
from databorder.runtime import build, init_keys
from databorder.settings import Settings
from databorder.sim import generate_world
from databorder.sim.load import load_world
from databorder.store.db import make_engine
from databorder.store.migrate import upgrade

ROOT = Path(__file__).parents[1]
MAX_IN_FLIGHT = 512  # beyond this the client itself would be the bottleneck: counted as errors
WARM_UP_SECONDS = 30.0  # left out of the flatness comparison (caches, first checkpoints)


@dataclass
class Window:
    """What finished during one sampling window."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    t_s: float
    requests: int
    errors: int
    error_rate: float
    rps: float
    p50_ms: float
    p99_ms: float
    rss_mib: float
    server_cpu_pct: float  # of one core, over the window
    load1: float  # the machine's 1-minute load average: other work shares these cores


@dataclass(frozen=True)
class World:
    disclosures: list[dict[str, Any]]
    platform_key: str
    recipient_keys: dict[str, str]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(settings: Settings, size: tuple[int, int, int]) -> World:
    init_keys(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    rt = build(settings)
    try:
        world = generate_world(7, *size, rt.now() - timedelta(days=60), days=60)
        with rt.sessions.begin() as session:
            load_world(session, rt, world)
            platform = ServiceKeys(session).issue("soak", [Scope.PLATFORM.value], rt.now())
            registry = RegistryService(session)
            keys = {r.id: registry.issue_api_key(r.id, rt.now()) for r in world.recipients}
    finally:
        rt.db.dispose()
    bodies = [
        {
            "order_id": order.id,
            "recipient_id": ask.recipient_id,
            "purpose": ask.purpose.value,
            "items": [item.value for item in ask.items],
            **({"legal_mandate": ask.legal_mandate} if ask.legal_mandate else {}),
        }
        for order in world.orders
        for ask in order.disclosures
    ]
    return World(bodies, platform, keys)


class Server:
    """The documented one-worker command, its output in a file."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABORDER_DATABASE_URL": settings.database_url,
            "DATABORDER_KEY_DIR": str(settings.key_dir),
            "DATABORDER_MAIL_DIR": str(settings.mail_dir),
        }
        self._log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "databorder.api.server:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                # The documented production command (docs/deploy.md): JSON logs, no access
                # log, no server banner.
                "--log-config",
                str(ROOT / "deploy" / "uvicorn-logging.json"),
                "--no-access-log",
                "--no-server-header",
            ],
            env=env,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,
        )

    def wait_ready(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        with httpx2.Client(timeout=2.0) as probe:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.process.returncode}")
                try:
                    if probe.get(f"{self.url}/ready").status_code == 200:
                        return
                except httpx2.TransportError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"the server was not ready within {seconds} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self._log.close()


class Load:
    """An open-loop client: request n is due at start + n / rate, whatever came before."""

    def __init__(self, url: str, world: World, seed: int = 5) -> None:
        self.url = url
        self.world = world
        self.rng = random.Random(seed)
        self.window = Window()
        self.in_flight = 0
        self.granted: deque[tuple[str, str, str]] = deque(maxlen=5000)  # order, recipient, token
        self.totals = Window()
        self.client = httpx2.AsyncClient(
            base_url=url,
            timeout=30.0,
            limits=httpx2.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=64),
        )

    def _done(self, due: float, status: int | None) -> None:
        latency = (time.monotonic() - due) * 1000
        ok = status is not None and 200 <= status < 300
        for window in (self.window, self.totals):
            window.latencies_ms.append(latency)
            window.errors += not ok
            key = status if status is not None else 0
            window.statuses[key] = window.statuses.get(key, 0) + 1

    async def disclose(self, due: float) -> None:
        body = self.rng.choice(self.world.disclosures)
        status = None
        try:
            answer = await self.client.post(
                "/v1/disclosures",
                json=body,
                headers={"Authorization": f"Bearer {self.world.platform_key}"},
            )
            status = answer.status_code
            if status == 201 and (grant := answer.json()["grant"]) is not None:
                self.granted.append((body["order_id"], body["recipient_id"], grant["token"]))
        except httpx2.TransportError:
            pass
        self._done(due, status)

    async def read(self, due: float) -> None:
        if not self.granted:
            return
        order, recipient, token = self.rng.choice(self.granted)
        status = None
        try:
            answer = await self.client.get(
                f"/v1/seller/orders/{order}/data",
                headers={
                    "Authorization": f"Bearer {self.world.recipient_keys[recipient]}",
                    "X-Grant-Token": token,
                },
            )
            status = answer.status_code
        except httpx2.TransportError:
            pass
        self._done(due, status)

    async def _one(self, due: float, kind: str) -> None:
        self.in_flight += 1
        try:
            await (self.disclose(due) if kind == "disclose" else self.read(due))
        finally:
            self.in_flight -= 1

    async def run(self, rate: float, read_rate: float, seconds: float, tasks: set[Any]) -> None:
        """Send at the combined rate until `seconds` have passed (an even mix, shuffled)."""
        total = rate + read_rate
        start = time.monotonic()
        n = 0
        while True:
            due = start + n / total
            if due - start >= seconds:
                return
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            kind = "disclose" if self.rng.random() < rate / total else "read"
            if self.in_flight >= MAX_IN_FLIGHT:
                self._done(due, None)  # the server is this far behind: an error, not a wait
            else:
                task = asyncio.create_task(self._one(due, kind))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            n += 1


async def soak(
    server: Server, world: World, args: argparse.Namespace
) -> tuple[list[Sample], Window]:
    # SIGTERM or Ctrl-C cancels the run; the caller still stops the server and cleans up.
    loop, me = asyncio.get_running_loop(), asyncio.current_task()
    assert me is not None
    for stop in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop, me.cancel)
    load = Load(server.url, world)
    samples: list[Sample] = []
    tasks: set[Any] = set()
    started = time.monotonic()

    async def sampler() -> None:
        pid = server.process.pid
        cpu_before, mark = _cpu_seconds(pid), time.monotonic()
        while True:
            await asyncio.sleep(args.sample_seconds)
            window, load.window = load.window, Window()
            cpu, now = _cpu_seconds(pid), time.monotonic()
            cpu_pct = 100 * (cpu - cpu_before) / (now - mark)
            cpu_before, mark = cpu, now
            count = len(window.latencies_ms)
            samples.append(
                Sample(
                    t_s=round(time.monotonic() - started, 1),
                    requests=count,
                    errors=window.errors,
                    error_rate=window.errors / count if count else 0.0,
                    rps=count / args.sample_seconds,
                    p50_ms=round(_percentile(window.latencies_ms, 0.50), 2),
                    p99_ms=round(_percentile(window.latencies_ms, 0.99), 2),
                    rss_mib=round(_rss_mib(pid), 1),
                    server_cpu_pct=round(cpu_pct, 1),
                    load1=_load1(),
                )
            )
            last = samples[-1]
            print(
                f"  {last.t_s:6.0f} s  {last.rps:6.1f} req/s  errors {last.errors:4d}  "
                f"p50 {last.p50_ms:6.1f} ms  p99 {last.p99_ms:6.1f} ms  RSS {last.rss_mib:6.1f} MiB  "
                f"server CPU {last.server_cpu_pct:5.1f}%  load {last.load1:.2f}",
                flush=True,
            )

    sampling = asyncio.create_task(sampler())
    try:
        await load.run(args.rate, args.read_rate, args.duration, tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=60)
    finally:
        sampling.cancel()
        await load.client.aclose()
    return samples, load.totals


def write_csv(samples: list[Sample], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(asdict(samples[0])))
        writer.writeheader()
        writer.writerows(asdict(s) for s in samples)


def plot(samples: list[Sample], path: Path, title: str) -> None:
    import matplotlib  # noqa: PLC0415 (the bench extra; only the soak draws)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    t = [s.t_s / 60 for s in samples]
    fig, (errors, latency, rss, machine) = plt.subplots(4, 1, figsize=(8, 9.5), sharex=True)
    errors.plot(t, [100 * s.error_rate for s in samples], color="tab:red")
    errors.set_ylabel("errors (%)")
    errors.set_ylim(bottom=0, top=max(1.0, *(100 * s.error_rate for s in samples)) * 1.1)
    latency.plot(t, [s.p50_ms for s in samples], label="p50")
    latency.plot(t, [s.p99_ms for s in samples], label="p99")
    latency.set_ylabel("latency (ms)")
    latency.set_ylim(bottom=0)
    latency.legend(loc="upper right")
    rss.plot(t, [s.rss_mib for s in samples], color="tab:green")
    rss.set_ylabel("server RSS (MiB)")
    rss.set_ylim(bottom=0, top=max(s.rss_mib for s in samples) * 1.2)
    machine.plot(t, [s.server_cpu_pct for s in samples], label="server CPU (% of a core)")
    machine.plot(t, [100 * s.load1 for s in samples], label="machine load x 100 (2 cores)")
    machine.set_ylim(bottom=0)
    machine.legend(loc="upper right", fontsize=8)
    machine.set_xlabel("minutes")
    for axis in (errors, latency, rss, machine):
        axis.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})  # no timestamp: the file changes only with data
    plt.close(fig)


def _number(value: float) -> float | None:
    """JSON has no NaN: a window without requests has no latency."""
    return None if math.isnan(value) else value


def _third_means(samples: list[Sample], attr: str) -> tuple[float, float]:
    """Mean of `attr` over the first and the last third of the run after the warm-up."""
    steady = [s for s in samples if s.t_s > WARM_UP_SECONDS] or samples
    third = max(1, len(steady) // 3)
    first = statistics.fmean(getattr(s, attr) for s in steady[:third])
    last = statistics.fmean(getattr(s, attr) for s in steady[-third:])
    return first, last


def summarise(samples: list[Sample], totals: Window, args: argparse.Namespace) -> dict[str, Any]:
    count = len(totals.latencies_ms)
    rss_first, rss_last = _third_means(samples, "rss_mib")
    p99_first, p99_last = _third_means(samples, "p99_ms")
    return {
        "duration_s": args.duration,
        "target_rate_per_s": {"disclosures": args.rate, "seller_reads": args.read_rate},
        "achieved_rate_per_s": round(count / args.duration, 1),
        "requests": count,
        "errors": totals.errors,
        "error_rate": round(totals.errors / count, 6) if count else 0.0,
        "answers": {str(k): v for k, v in sorted(totals.statuses.items())},
        "p50_ms": _number(round(_percentile(totals.latencies_ms, 0.50), 2)),
        "p99_ms": _number(round(_percentile(totals.latencies_ms, 0.99), 2)),
        "p99_ms_worst_window": _number(max(s.p99_ms for s in samples)),
        "p99_ms_first_third_mean": _number(round(p99_first, 2)),
        "p99_ms_last_third_mean": _number(round(p99_last, 2)),
        "rss_mib_start": samples[0].rss_mib,
        "rss_mib_end": samples[-1].rss_mib,
        "rss_mib_max": max(s.rss_mib for s in samples),
        "rss_mib_first_third_mean": round(rss_first, 1),
        "rss_mib_last_third_mean": round(rss_last, 1),
        "server_cpu_pct_mean": round(statistics.fmean(s.server_cpu_pct for s in samples), 1),
        "machine_load1_mean": round(statistics.fmean(s.load1 for s in samples), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (600)")
    parser.add_argument("--rate", type=float, default=50.0, help="disclosures per second (50)")
    parser.add_argument("--read-rate", type=float, default=25.0, help="seller reads/s (25)")
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="sampling period (5)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability")
    parser.add_argument("--name", default="soak", help="file names: NAME.csv, .svg, .json")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument(
        "--world", default="1000,150,3000", help="buyers,sellers,orders (1000,150,3000)"
    )
    args = parser.parse_args(argv)
    buyers, sellers, orders = (int(x) for x in args.world.split(","))
    base = Path(tempfile.mkdtemp(prefix="databorder-soak-"))
    try:
        settings = Settings(
            database_url=args.database_url or f"sqlite:///{base / 'soak.db'}",
            key_dir=base / "keys",
            mail_dir=base / "mail",
        )
        began = time.perf_counter()
        world = prepare(settings, (buyers, sellers, orders))
        print(
            f"world: {buyers} buyers, {sellers} sellers, {orders} orders, "
            f"{len(world.disclosures)} disclosure requests ({time.perf_counter() - began:.0f} s)"
        )
        server = Server(settings, base / "server.log")
        try:
            server.wait_ready()
            print(
                f"soak: {args.rate:g} disclosures/s + {args.read_rate:g} seller reads/s for "
                f"{args.duration:g} s against {server.url}, sampled every {args.sample_seconds:g} s"
            )
            samples, totals = asyncio.run(soak(server, world, args))
        except asyncio.CancelledError:
            print("interrupted: nothing written")
            return 1
        finally:
            server.stop()
        if not samples:
            raise RuntimeError("the soak ended before its first sample")
        args.out.mkdir(parents=True, exist_ok=True)
        write_csv(samples, args.out / f"{args.name}.csv")
        summary = summarise(samples, totals, args)
        (args.out / f"{args.name}.json").write_text(json.dumps(summary, indent=2) + "\n")
        plot(
            samples,
            args.out / f"{args.name}.svg",
            f"databorder soak: {args.rate:g} disclosures/s + {args.read_rate:g} seller reads/s, "
            f"one uvicorn worker, {'PostgreSQL' if settings.database_url.startswith('postgresql') else 'SQLite'}, "
            f"loopback ({args.duration / 60:g} min)",
        )
        print(json.dumps(summary, indent=2))
        print(f"wrote {args.out / args.name}.csv, .json and .svg")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
