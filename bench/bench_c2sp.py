"""The log on the C2SP specifications (issue 13): private appends, tiles, cosigning, cold proofs.

    .venv/bin/python bench/bench_c2sp.py            # 10M-leaf log (about 5 min to build)
    .venv/bin/python bench/bench_c2sp.py --quick    # 1M-leaf log

- **Appends with commitments**: `StoredLog.append_records` on a migrated SQLite file, batches of
  500 as the gateway's group commit makes them: each record salted, committed to, its leaf, its
  nodes and its opening row written in one transaction. Goal unchanged: 20,000 leaves/s.
- **Inclusion proofs at 10M private leaves** (about 130 bytes each, as the gateway writes them):
  first the proofs of a fresh process, which also fill the tree levels it holds in memory
  (`ledger/upper.py`); then warm, each proof in a read transaction of its own as the route
  makes it; and **cold** (memory-mapping off): in an open read transaction, SQLite's page cache
  emptied (`PRAGMA shrink_memory`) and the database file's pages dropped from the OS page
  cache (`posix_fadvise(POSIX_FADV_DONTNEED)`) right before the proof, as the issue measured
  it; the same with the file left in the OS cache; and the whole read transaction (BEGIN,
  proof, COMMIT) with both caches dropped before it. Goal: cold p50 under 1 ms.
- **Tiles**: full level-0 and level-1 tiles read from the stored nodes, and served through the
  log's routes, per second: by an in-process ASGI client, and by uvicorn on loopback to one
  and to four keep-alive HTTP clients.
- **Cosigning**: two witnesses (`databorder witness serve`'s app under uvicorn, each with its own
  key and SQLite store) on loopback; rounds of "append 10, sign a head, submit to both" for 20 s;
  checkpoints cosigned by both per minute.

The big log is built by `bench_ledger.build_big_log` (plain sqlite3, the same rows the service
writes, leaves and every complete-subtree node; no opening rows, which proofs never read).
"""

import argparse
import hashlib
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from bench_ledger import build_big_log, disclosure_record, median_us, migrated
from databorder.ledger import merkle
from databorder.ledger.http import make_router
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import HeadSigner, create_signing_key
from databorder.ledger.tiles import Tile, tile_path
from databorder.ledger.witnessing import WitnessEndpoint, Witnessing, http_post
from databorder.model import utcnow
from databorder.store.db import make_engine, make_read_sessionmaker, make_sessionmaker
from databorder.witness.app import build_witness, make_app

GOAL_APPENDS = 20_000
GOAL_COLD_P50_MS = 1.0


def private_leaf_data(index: int) -> bytes:
    """A private leaf's bytes as the gateway writes them (the commitment is a stand-in hash)."""
    commitment = hashlib.sha256(b"%d" % index).hexdigest()
    ident = f"0192f3a4-5b6c-7d8e-9f00-{index:012d}"
    return b'{"commitment":"%s","id":"%s","type":"disclosure"}' % (
        commitment.encode(),
        ident.encode(),
    )


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


# --- appends with commitments -------------------------------------------------------------------


def bench_appends(directory: Path, total: int, batch: int) -> dict[str, Any]:
    url = migrated(directory / "appends.db")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    log = StoredLog(utcnow)
    records = [json.loads(disclosure_record(i)) for i in range(total)]
    started = time.perf_counter()
    for start in range(0, total, batch):
        with sessions.begin() as session:
            log.append_records(session, records[start : start + batch])
    elapsed = time.perf_counter() - started
    with sessions() as session:
        assert log.size(session) == total
        opened = session.execute(text("SELECT count(*) FROM log_records")).scalar_one()
    engine.dispose()
    assert opened == total
    return {"leaves": total, "batch": batch, "seconds": elapsed, "per_second": total / elapsed}


# --- proofs, warm and cold ----------------------------------------------------------------------


def _drop_cache(path: Path) -> None:
    for name in (path, Path(f"{path}-wal")):
        if name.exists():
            fd = os.open(name, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _shrink(engine: Engine) -> None:
    """Empty SQLite's page cache of the pooled connection (the only one: proofs run one at a
    time), between transactions."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA shrink_memory")  # type: ignore[union-attr]
    finally:
        raw.close()


def bench_proofs(path: Path, url: str, size: int, samples: int) -> dict[str, Any]:
    """Each proof in a read transaction of its own, as `GET /v1/log/proof/inclusion` makes it
    (`reads.begin()`), timed with its BEGIN and COMMIT."""
    log = StoredLog(utcnow)
    rng = random.Random(13)
    engine = make_engine(url)
    reads = make_read_sessionmaker(engine)
    warm: list[float] = []
    filling: list[float] = []
    with reads.begin() as session:
        root = log.root(session, size)
    # A fresh process: its first proofs also fill the levels held in memory, a bounded part
    # each (`ledger/upper.py`), until all are held.
    while not log._upper.complete_for(size):
        index = rng.randrange(size)
        started = time.perf_counter()
        with reads.begin() as session:
            log.inclusion_proof(session, index, size)
        filling.append(time.perf_counter() - started)
    held = log._upper.nodes_held()
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        with reads.begin() as session:
            proof = log.inclusion_proof(session, index, size)
        warm.append(time.perf_counter() - started)
        leaf = merkle.leaf_hash(private_leaf_data(index))
        assert merkle.verify_inclusion(leaf, index, size, proof, root)
    engine.dispose()
    # Memory-mapping off so every page is a read(). Three kinds of sample, in turn:
    # - the proof, cold (the measure): in an open read transaction, SQLite's page cache
    #   emptied (PRAGMA shrink_memory; the transaction keeps only the database header page) and
    #   the file's pages dropped from the OS page cache, then `inclusion_proof` timed;
    # - the same with the proof's pages in the OS cache ("fresh": the proof run once before
    #   SQLite's cache is emptied): the difference is the disk;
    # - the whole read transaction, cold: both caches emptied between transactions, then
    #   BEGIN, the proof and COMMIT timed, as the route pays them.
    fresh: list[float] = []
    cold: list[float] = []
    cold_transaction: list[float] = []
    engine = make_engine(url)
    event.listen(engine, "connect", lambda raw, _: raw.execute("PRAGMA mmap_size=0"))
    reads = make_read_sessionmaker(engine)
    with reads.begin() as session:
        log.inclusion_proof(session, 0, size)
    for n in range(3 * max(50, samples // 10)):
        index = rng.randrange(size)
        kind = n % 3
        if kind == 2:
            _shrink(engine)
            _drop_cache(path)
            started = time.perf_counter()
            with reads.begin() as session:
                proof = log.inclusion_proof(session, index, size)
            cold_transaction.append(time.perf_counter() - started)
        else:
            with reads.begin() as session:
                if kind == 0:  # its pages into the OS cache first (the last sample dropped it)
                    log.inclusion_proof(session, index, size)
                session.execute(text("PRAGMA shrink_memory"))
                if kind == 1:
                    _drop_cache(path)
                started = time.perf_counter()
                proof = log.inclusion_proof(session, index, size)
                (cold if kind == 1 else fresh).append(time.perf_counter() - started)
        leaf = merkle.leaf_hash(private_leaf_data(index))
        assert merkle.verify_inclusion(leaf, index, size, proof, root)
    engine.dispose()
    return {
        "size": size,
        "filling_proofs": len(filling),
        "filling_seconds": sum(filling),
        "filling_max_ms": max(filling) * 1000,
        "held_nodes": held,
        "held_mib": held * 32 / 2**20,
        "lowest_held_level": log._upper.lowest,
        "warm_samples": len(warm),
        "cold_samples": len(cold),
        "warm_p50_us": median_us(warm),
        "warm_p99_us": percentile(warm, 0.99) * 1e6,
        "fresh_p50_us": median_us(fresh),
        "cold_p50_us": median_us(cold),
        "cold_p90_us": percentile(cold, 0.9) * 1e6,
        "cold_transaction_p50_us": median_us(cold_transaction),
        "cold_transaction_p90_us": percentile(cold_transaction, 0.9) * 1e6,
        "proof_hashes": len(proof),
    }


# --- tiles --------------------------------------------------------------------------------------


def bench_tiles(url: str, size: int, key_dir: Path, samples: int) -> dict[str, Any]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    log = StoredLog(utcnow)
    rng = random.Random(17)
    full_0, full_1 = size // 256, size // 65536
    stored: list[float] = []
    with sessions() as session:
        for _ in range(samples):
            tile = Tile(0, rng.randrange(full_0))
            started = time.perf_counter()
            assert len(log.tile(session, tile)) == 8192
            stored.append(time.perf_counter() - started)
    signer = HeadSigner(create_signing_key(key_dir / "bench-log.key"), log, utcnow)
    app = FastAPI()
    app.include_router(make_router(sessions, signer))
    paths = [tile_path(Tile(0, rng.randrange(full_0))) for _ in range(samples)]
    paths += [tile_path(Tile(1, rng.randrange(full_1))) for _ in range(samples // 10)]
    with TestClient(app) as client:
        started = time.perf_counter()
        for path in paths:
            answer = client.get(f"/v1/log/{path}")
            assert answer.status_code == 200
        served = time.perf_counter() - started
    # The same routes under uvicorn (one worker, as `databorder serve` runs them) on loopback,
    # fetched by clients on keep-alive connections, as a mirror or a witness would.
    port = _port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    over_http: dict[int, float] = {}
    for clients in (1, 4):
        share = [paths[n::clients] for n in range(clients)]

        def fetch(mine: list[str]) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
                for path in mine:
                    answer = http.get(f"/v1/log/{path}")
                    assert answer.status_code == 200, answer.status_code

        workers = [threading.Thread(target=fetch, args=(mine,)) for mine in share]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        over_http[clients] = len(paths) / (time.perf_counter() - started)
    server.should_exit = True
    engine.dispose()
    return {
        "stored_tile_p50_us": median_us(stored),
        "stored_tiles_per_second": 1 / statistics.median(stored),
        "served": len(paths),
        "served_per_second": len(paths) / served,
        "uvicorn_per_second_1_client": over_http[1],
        "uvicorn_per_second_4_clients": over_http[4],
    }


# --- cosigning with two witnesses on loopback ---------------------------------------------------


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bench_cosigning(directory: Path, seconds: float) -> dict[str, Any]:
    url = migrated(directory / "cosign.db")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    log = StoredLog(utcnow)
    signer = HeadSigner(create_signing_key(directory / "log.key"), log, utcnow)
    servers, endpoints = [], []
    for n in (1, 2):
        key = directory / f"w{n}.key"
        create_signing_key(key)
        witness = build_witness(
            f"bench.example/w{n}", key, [signer.verifier.vkey], f"sqlite:///{directory}/w{n}.db"
        )
        port = _port()
        server = uvicorn.Server(
            uvicorn.Config(make_app(witness), host="127.0.0.1", port=port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        endpoints.append(WitnessEndpoint(f"http://127.0.0.1:{port}", witness.verifier))
    while not all(s.started for s in servers):
        time.sleep(0.02)
    witnessing = Witnessing(signer, sessions, endpoints, http_post(5.0))
    rounds = cosigned = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        with sessions.begin() as session:
            log.append_records(
                session, [{"type": "disclosure", "id": f"d-{rounds}-{i}"} for i in range(10)]
            )
        results = witnessing.submit()
        rounds += 1
        cosigned += all(r.cosigned for r in results)
    elapsed = time.perf_counter() - started
    for server in servers:
        server.should_exit = True
    engine.dispose()
    assert cosigned == rounds, (cosigned, rounds)
    return {
        "rounds": rounds,
        "seconds": elapsed,
        "per_minute": cosigned * 60 / elapsed,
        "round_ms": elapsed / rounds * 1000,
    }


# --- report -------------------------------------------------------------------------------------


def _markdown(r: dict[str, Any]) -> str:
    a, p, t, c = r["appends"], r["proofs"], r["tiles"], r["cosigning"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    return "\n".join(
        [
            "## The log on C2SP: private appends, tiles, cosigning, cold proofs"
            " (`bench/bench_c2sp.py`, issue 13)",
            "",
            "| figure | value | goal |",
            "|---|---:|---|",
            f"| appends with commitments (`append_records`, batches of {a['batch']}, "
            f"{a['leaves']:,} leaves with their opening rows, SQLite) | "
            f"{a['per_second']:,.0f} leaves/s | ≥ {GOAL_APPENDS:,}/s: "
            f"{verdict(a['per_second'] >= GOAL_APPENDS)} |",
            f"| a fresh process's first proofs, which also fill the levels held in memory "
            f"(from level {p['lowest_held_level']} up: {p['held_nodes']:,} nodes, "
            f"{p['held_mib']:.1f} MiB) | {p['filling_proofs']} proofs, "
            f"{p['filling_seconds']:.2f} s in all, the slowest {p['filling_max_ms']:,.0f} ms | |",
            f"| inclusion proof, {p['size']:,} leaves, warm, in a read transaction of its own "
            f"as the route makes it, p50 / p99 | "
            f"{p['warm_p50_us']:,.0f} / {p['warm_p99_us']:,.0f} µs | |",
            f"| inclusion proof in an open read transaction, SQLite's page cache emptied, the "
            f"file in the OS cache, p50 | {p['fresh_p50_us']:,.0f} µs | |",
            f"| inclusion proof in an open read transaction, **cold** (SQLite's page cache "
            f"emptied, the file dropped from the OS page cache), p50 / p90 "
            f"({p['cold_samples']} samples) | {p['cold_p50_us']:,.0f} / "
            f"{p['cold_p90_us']:,.0f} µs | p50 < {GOAL_COLD_P50_MS:g} ms: "
            f"{verdict(p['cold_p50_us'] < GOAL_COLD_P50_MS * 1000)} |",
            f"| the whole read transaction cold (BEGIN, the proof, COMMIT; the header page "
            f"read again too), p50 / p90 | {p['cold_transaction_p50_us']:,.0f} / "
            f"{p['cold_transaction_p90_us']:,.0f} µs | |",
            f"| a full tile read from the stored nodes, p50 | {t['stored_tile_p50_us']:,.0f} µs "
            f"({t['stored_tiles_per_second']:,.0f}/s) | |",
            f"| tiles served through the routes (in-process client, {t['served']:,} requests) | "
            f"{t['served_per_second']:,.0f}/s | |",
            f"| tiles served by uvicorn (one worker) over loopback HTTP, keep-alive, 1 / 4 "
            f"clients | {t['uvicorn_per_second_1_client']:,.0f} / "
            f"{t['uvicorn_per_second_4_clients']:,.0f} per second | |",
            f"| checkpoints cosigned by both of two loopback witnesses | "
            f"{c['per_minute']:,.0f}/min ({c['round_ms']:.1f} ms a round of append, sign, "
            f"submit) | |",
            "",
            f"Load average before the run: {r['load_before']}; after: {r['load_after']}.",
        ]
    )


def run(quick: bool, leaves: int | None = None) -> dict[str, Any]:
    size = leaves or (1_000_000 if quick else 10_000_000)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="databorder-bench-c2sp-") as tmp:
        directory = Path(tmp)
        appends = bench_appends(directory, 50_000 if quick else 200_000, 500)
        big = directory / "big.db"
        url, build_seconds = build_big_log(big, size, private_leaf_data)
        proofs = bench_proofs(big, url, size, 500 if quick else 2_000)
        proofs["build_seconds"] = build_seconds
        tiles = bench_tiles(url, size, directory, 500 if quick else 2_000)
        cosigning = bench_cosigning(directory, 10.0 if quick else 20.0)
    result: dict[str, Any] = {
        "appends": appends,
        "proofs": proofs,
        "tiles": tiles,
        "cosigning": cosigning,
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    result["markdown"] = _markdown(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M-leaf log")
    parser.add_argument("--leaves", type=int, default=None, help="size of the big stored log")
    args = parser.parse_args()
    result = run(args.quick, args.leaves)
    sys.stdout.write(result["markdown"] + "\n")
    sys.stdout.write(json.dumps({k: v for k, v in result.items() if k != "markdown"}) + "\n")


if __name__ == "__main__":
    main()
