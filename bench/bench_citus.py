"""Committed disclosures per second through a Citus coordinator, next to plain PostgreSQL.

Both servers are throwaway ones on loopback (scripts/pg-test-server and scripts/citus-test-cluster,
which builds Citus once when it is missing), on the same machine, with the same synthetic world
(bench_gateway's, quick size) replayed through the gateway one disclosure per transaction: each
is a decision's reads, a grant, a disclosure record and a log leaf, committed.

On one 2-core machine the coordinator and both workers share the cores with the client, so this
measures Citus's cost per disclosure (the coordinator's planning and its round trips to the
workers), not its scale-out: that needs workers on machines of their own.
tests/store/test_citus_cluster.py shows what makes scale-out possible instead: a disclosure's
reads and writes and a seller's read each go to one shard.

Run: `.venv/bin/python bench/bench_citus.py [--asks N] [--pg-port P] [--citus-port P]`.
"""

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_gateway import _settings, _world_asks
from databorder.runtime import build
from databorder.store.db import make_engine
from databorder.store.distribution import apply_citus_plan

SCRIPTS = Path(__file__).parents[1] / "scripts"


def _rate(url: str, base: Path, asks: int, citus: bool) -> dict[str, Any]:
    settings = _settings(base, url)  # keys, and the migrations
    if citus:
        engine = make_engine(url)
        started = time.perf_counter()
        ran = apply_citus_plan(engine)
        plan_s = time.perf_counter() - started
        engine.dispose()
        print(f"  citus plan: {len(ran)} statements in {plan_s:.1f} s")
    rt = build(settings)
    try:
        world = _world_asks(rt, 400, 60, 1200)
        chosen = world[:asks]
        started = time.perf_counter()
        for ask in chosen:
            with rt.sessions.begin() as session:
                rt.gateway.disclose_many(session, [ask], rights_floor=False)
        single = len(chosen) / (time.perf_counter() - started)
        batched: float | str
        try:
            rest = world[asks : asks + 200]
            started = time.perf_counter()
            with rt.sessions.begin() as session:
                rt.gateway.disclose_many(session, rest, rights_floor=False)
            batched = len(rest) / (time.perf_counter() - started)
        except Exception as exc:
            batched = f"failed: {str(exc).splitlines()[0][:160]}"
    finally:
        rt.db.dispose()
    return {"single_per_s": single, "asks": len(chosen), "batched_200_per_s": batched}


def run(asks: int, pg_port: int, citus_port: int) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="databorder-bench-citus-"))
    os.chmod(base, 0o755)  # noqa: S103 (the postgres user must reach its data directories)
    results: dict[str, Any] = {}
    try:
        pg = subprocess.run(
            [SCRIPTS / "pg-test-server", "start", str(base / "pg"), str(pg_port)],
            capture_output=True,
            text=True,
            check=True,
        )
        print("postgresql:")
        results["postgresql"] = _rate(pg.stdout.strip(), base / "p", asks, citus=False)
        started = time.perf_counter()
        cluster = subprocess.run(
            [SCRIPTS / "citus-test-cluster", "start", str(base / "citus"), str(citus_port)],
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"citus: cluster up in {time.perf_counter() - started:.1f} s")
        results["citus"] = _rate(cluster.stdout.strip(), base / "c", asks, citus=True)
    finally:
        subprocess.run([SCRIPTS / "pg-test-server", "stop", str(base / "pg")], check=False)
        subprocess.run([SCRIPTS / "citus-test-cluster", "stop", str(base / "citus")], check=False)
        shutil.rmtree(base, ignore_errors=True)
    for name, figures in results.items():
        print(
            f"{name}: {figures['single_per_s']:,.0f} committed disclosures/s one per transaction "
            f"({figures['asks']} disclosures); 200 in one transaction: "
            + (
                f"{figures['batched_200_per_s']:,.0f}/s"
                if isinstance(figures["batched_200_per_s"], float)
                else figures["batched_200_per_s"]
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=500, help="disclosures one per transaction")
    parser.add_argument("--pg-port", type=int, default=54350)
    parser.add_argument("--citus-port", type=int, default=54370, help="and the next two")
    args = parser.parse_args()
    run(args.asks, args.pg_port, args.citus_port)


if __name__ == "__main__":
    main()
