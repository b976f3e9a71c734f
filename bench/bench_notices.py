"""Notices at the AliExpress case's size: publishing 180,000 recipients, and the directory.

Goals (issue 15): publishing a version (registry snapshot, every format rendered, rows and
documents stored) in under 5 s with its memory reported; the public directory's search by
name prefix and by country at p95 under 30 ms server-side, on SQLite and on PostgreSQL.

The registry comes from `databorder sim`'s bulk loader (180,000 sellers in 15 countries plus
its fixed processors, brokers and payment processors). Publishing is timed in a fresh Python
process (`--publish-child`), so its peak RSS is the publish's own and not the loader's. The
directory is timed twice: the store's query alone (`NoticeStore.directory`), and the whole
page through the ASGI app in-process (handler, query, template, no network), which is what
"server-side" means here.
"""

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from databorder.api.app import create_app
from databorder.consent.models import NoticeRecipient
from databorder.notices.store import NoticeStore
from databorder.runtime import build, init_keys
from databorder.settings import Settings
from databorder.sim.bulk import load_bulk
from databorder.store.migrate import upgrade
from databorder.vault.crypto import KEY_BYTES
from databorder.vault.keys import LocalKeyFile, read_secret_file

ROOT = Path(__file__).parents[1]
QUERIES = 400


def _settings(url: str, keys: Path) -> Settings:
    settings = Settings(database_url=url, key_dir=keys, sweep_interval_seconds=0,
                        head_interval_seconds=0, notice_batch_days=0)  # fmt: skip
    init_keys(settings)
    return settings


def _load(settings: Settings, sellers: int) -> float:
    rt = build(settings)
    upgrade(rt.db)
    started = time.perf_counter()
    load_bulk(
        rt.db,
        LocalKeyFile(settings.master_key_path),
        read_secret_file(settings.blind_index_key_path, KEY_BYTES),
        seed=1,
        buyers=500,
        sellers=sellers,
        orders=500,
        start=datetime(2026, 10, 1, tzinfo=UTC),
        days=30,
        workers=2,
        every_days=10_000,  # the world's own versions: an opening and a closing one
        settings=settings,
        publisher=rt.publisher,
    )
    rt.db.dispose()
    return time.perf_counter() - started


def _peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: Linux carries that
    across exec from the parent, which here had just loaded the whole registry."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _publish_child(url: str, keys: str) -> None:
    """Runs in a fresh interpreter: one publish, its wall time and this process's peak RSS.

    The publisher forks one helper to render and hash the full lists while this process
    writes; the helper's own peak is reported too (it shares this one's pages until it writes).
    """
    settings = Settings(database_url=url, key_dir=Path(keys))
    rt = build(settings)
    before = _peak_rss_mb()
    started = time.perf_counter()
    with rt.sessions.begin() as session:
        published = rt.publisher.publish(session, datetime.now(UTC) + timedelta(days=1))
    seconds = time.perf_counter() - started
    peak = _peak_rss_mb()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "recipients": published.recipient_count,
                "rss_before_mb": before,
                "rss_peak_mb": peak,
                "helper_rss_peak_mb": child,
            }
        )
    )


def _publish(settings: Settings) -> dict[str, float]:
    best: dict[str, float] | None = None
    for _ in range(2):  # the first also warms the OS file cache; report the better of two
        out = subprocess.run(
            [sys.executable, __file__, "--publish-child", settings.database_url, str(settings.key_dir)],
            capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or figures["seconds"] < best["seconds"]:
            best = figures
    assert best is not None
    return best


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def _directory(settings: Settings) -> dict[str, Any]:
    rt = build(settings)
    rng = random.Random(7)
    with rt.sessions() as session:
        store = NoticeStore(session)
        version = store.versions()[0].version
        names = list(
            session.scalars(select(NoticeRecipient.name).where(NoticeRecipient.version == version))
        )
        countries = sorted(
            set(session.scalars(select(NoticeRecipient.country).where(NoticeRecipient.version == version)))
        )  # fmt: skip
    prefixes = [rng.choice(names)[: rng.randint(1, 4)] for _ in range(QUERIES)]
    picks = [rng.choice(countries) for _ in range(QUERIES)]
    figures: dict[str, Any] = {"version": version, "recipients": len(names)}
    with rt.sessions() as session:
        store = NoticeStore(session)
        for label, calls in (
            ("store_prefix", [lambda q=q: store.directory(version, q=q) for q in prefixes]),
            ("store_country", [lambda c=c: store.directory(version, country=c) for c in picks]),
            (
                "store_country_page_20",
                [lambda c=c: store.directory(version, country=c, page=20) for c in picks],
            ),
        ):
            samples = []
            for call in calls:
                started = time.perf_counter()
                call()
                samples.append(time.perf_counter() - started)
            figures[label] = _percentiles(samples)
    with TestClient(create_app(rt)) as client:
        for label, paths in (
            ("page_prefix", [f"/privacy/recipients?q={q}" for q in prefixes]),
            ("page_country", [f"/privacy/recipients?country={c}" for c in picks]),
        ):
            samples = []
            for path in paths:
                started = time.perf_counter()
                answer = client.get(path)
                samples.append(time.perf_counter() - started)
                assert answer.status_code == 200, (path, answer.status_code)
            figures[label] = _percentiles(samples)
    rt.db.dispose()
    return figures


def _backend(name: str, url: str, keys: Path, sellers: int) -> dict[str, Any]:
    settings = _settings(url, keys)
    load_s = _load(settings, sellers)
    print(f"{name}: registry of {sellers:,} sellers loaded in {load_s:.0f} s")
    publish = _publish(settings)
    print(
        f"{name}: publish {publish['recipients']:,} recipients in {publish['seconds']:.2f} s, "
        f"peak RSS {publish['rss_peak_mb']:.0f} MB (before: {publish['rss_before_mb']:.0f} MB; "
        f"forked helper {publish['helper_rss_peak_mb']:.0f} MB)"
    )
    directory = _directory(settings)
    for key in (
        "store_prefix",
        "store_country",
        "store_country_page_20",
        "page_prefix",
        "page_country",
    ):
        f = directory[key]
        print(
            f"{name}: {key}: p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, max {f['max_ms']:.1f} ms"
        )
    return {"publish": publish, "directory": directory}


def run(quick: bool = False) -> dict[str, Any]:
    sellers = 20_000 if quick else 180_000
    base = Path(tempfile.mkdtemp(prefix="databorder-bench-notices-"))
    os.chmod(base, 0o755)  # noqa: S103 (the postgres user must reach its data directory)
    results: dict[str, Any] = {"sellers": sellers}
    try:
        results["sqlite"] = _backend("sqlite", f"sqlite:///{base / 'n.db'}", base / "ks", sellers)
        pg = subprocess.run(
            [ROOT / "scripts" / "pg-test-server", "start", str(base / "pg"), "54349"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        try:
            results["postgresql"] = _backend("postgresql", pg.stdout.strip(), base / "kp", sellers)
        finally:
            subprocess.run(
                [ROOT / "scripts" / "pg-test-server", "stop", str(base / "pg")], check=False
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    results["markdown"] = _markdown(results)
    return results


def _markdown(r: dict[str, Any]) -> str:
    s, p = r["sqlite"], r["postgresql"]
    rows = [
        "## Notices: publishing and the public directory (`bench/bench_notices.py`)",
        "",
        f"A registry from `databorder sim`'s bulk loader: {r['sellers']:,} sellers in 15 countries "
        f"plus its fixed processors ({s['publish']['recipients']:,} recipients). Publishing = "
        "snapshot, every format rendered (HTML and Markdown ko/en, the standalone documents, CSV, "
        "JSON, DPV JSON-LD), the version's rows and documents stored, in one transaction; timed "
        "in a fresh process, best of two. The directory: "
        f"{QUERIES} searches each, by a random 1-4 character prefix of a real name and by a random "
        "country; `store` is the query alone, `page` the whole HTML page through the ASGI app "
        "in-process.",
        "",
        "| | SQLite | PostgreSQL | goal |",
        "|---|---:|---:|---|",
        f"| publish, wall | {s['publish']['seconds']:.2f} s | {p['publish']['seconds']:.2f} s | < 5 s |",
        f"| publish, peak RSS of the process | {s['publish']['rss_peak_mb']:,.0f} MB | "
        f"{p['publish']['rss_peak_mb']:,.0f} MB | reported |",
        f"| ... and of its forked list renderer | {s['publish']['helper_rss_peak_mb']:,.0f} MB | "
        f"{p['publish']['helper_rss_peak_mb']:,.0f} MB | reported |",
    ]
    for key, label, goal in (
        ("store_prefix", "directory query, name prefix", "p95 < 30 ms"),
        ("store_country", "directory query, country", "p95 < 30 ms"),
        ("store_country_page_20", "directory query, country, page 20", ""),
        ("page_prefix", "directory page, name prefix", "p95 < 30 ms"),
        ("page_country", "directory page, country", "p95 < 30 ms"),
    ):
        a, b = s["directory"][key], p["directory"][key]
        rows.append(
            f"| {label} (p50 / p95) | {a['p50_ms']:.1f} / {a['p95_ms']:.1f} ms | "
            f"{b['p50_ms']:.1f} / {b['p95_ms']:.1f} ms | {goal} |"
        )
    rows.append("")
    return "\n".join(rows)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--publish-child":
        _publish_child(sys.argv[2], sys.argv[3])
    else:
        out = run(quick="--quick" in sys.argv)
        print(out["markdown"])
