"""The crash harness: a real server SIGKILLed under concurrent writers, and what must hold after.

`attack` starts `databorder serve` in a subprocess on a free loopback port against a demo-like
world (the synthetic marketplace of `databorder.sim`, loaded through the real services), runs
writer threads that POST disclosures, withdraw consents and read granted data as sellers (a
read is a logged write too) as fast as the server answers, SIGKILLs the server's process group while requests are in flight, starts it again, and repeats.
Every answer a writer received is kept: an acknowledgement (2xx) is a promise the database must
keep after any crash. `check` then reads the database directly and returns what broke:

- every acknowledged disclosure is there, with the grant and the log leaf its answer named
  (and the grant token's hash, so the token the client holds still opens it);
- every leaf of the log names a row that names it back, and every row has its leaf: nothing was
  half-written (a grant without its disclosure, a leaf without its row, or the reverse);
- disclosures cut off by a kill are retried with their Idempotency-Key, as a client would, and
  no key makes two disclosures (finding 6 under crashes);
- every acknowledged seller read is recorded (counted per grant: a read's answer has no id);
- every acknowledged withdrawal is recorded, with its tracked request, and no live grant rests
  on any withdrawn consent;
- `databorder log verify` reads the log as intact.

A request cut off by the kill (no answer) is "in doubt": it may or may not have committed, and
either is correct, provided it committed whole. Disclosures in doubt are sent again with the
same Idempotency-Key once the server is back; withdrawals and reads are not retried.
"""

import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

import httpx2
from sqlalchemy import select

from databorder.auth.services import Scope, ServiceKeys
from databorder.auth.tokens import hash_secret
from databorder.consent.models import Consent
from databorder.gateway.models import AccessGrant, Disclosure, SellerRead
from databorder.ledger.models import LogLeaf
from databorder.registry.services import RegistryService
from databorder.rights.models import RightsRequest
from databorder.runtime import build
from databorder.settings import Settings
from databorder.sim import generate_world
from databorder.sim.load import load_world
from databorder.store.db import make_engine

DATABORDER = Path(sys.executable).parent / "databorder"
READY_SECONDS = 60.0  # a restart that is not ready by then is a failure of its own
REQUEST_SECONDS = 15.0
# The client logs every request at INFO: thousands of lines that would bury the harness's own.
logging.getLogger("httpx2").setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Plan:
    """How hard to attack: kills, concurrent writers, answers to wait for before each kill."""

    kills: int
    writers: int
    acks_per_round: int  # acknowledgements received from a server before it is killed
    withdraw_share: float = 0.05  # of the writers' requests, withdrawals of a consent
    read_share: float = 0.2  # ... and sellers reading what an acknowledged grant released
    jitter_seconds: float = 0.4  # a random wait on top, so kills land at arbitrary moments
    # After the attack, how long writers keep retrying disclosures left in doubt. A retry after
    # a kill can hear 409 for a minute (a reservation left pending by the dead process, see
    # api/idempotency.py); those still unresolved are counted, not waited for.
    resolve_seconds: float = 3.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Plan":
        """The short attack of `make test`, or the issue's with DATABORDER_STRESS=1."""
        if environ.get("DATABORDER_STRESS") == "1":
            return cls(kills=17, writers=20, acks_per_round=150, resolve_seconds=90.0)
        return cls(kills=3, writers=8, acks_per_round=50, resolve_seconds=3.0)


@dataclass(frozen=True, slots=True)
class HarnessWorld:
    """What the writers send: disclosure bodies of the world's orders, consents to withdraw,
    and the keys they call with (the platform's, and each recipient's for its reads)."""

    disclosures: tuple[dict[str, Any], ...]
    consents: tuple[str, ...]
    platform_key: str
    recipient_keys: dict[str, str]


def load_harness_world(settings: Settings, seed: int = 11) -> HarnessWorld:
    """A small demo-like marketplace in the (migrated) database, and a platform key.

    The sim's world at its smallest full size: every scenario of the demo (cross-border and
    domestic recipients, a customs mandate, withdrawn consents, a suspension order) is in it,
    so the writers' requests are granted, refused and relayed in the demo's proportions.
    """
    rt = build(settings)
    try:
        world = generate_world(seed, 120, 24, 360, rt.now() - timedelta(days=60), days=60)
        with rt.sessions.begin() as session:
            load_world(session, rt, world)
            key = ServiceKeys(session).issue("crash harness", [Scope.PLATFORM.value], rt.now())
            registry = RegistryService(session)
            recipient_keys = {
                r.id: registry.issue_api_key(r.id, rt.now()) for r in world.recipients
            }
    finally:
        rt.db.dispose()
    bodies = tuple(
        {
            "order_id": order.id,
            "recipient_id": ask.recipient_id,
            "purpose": ask.purpose.value,
            "items": [item.value for item in ask.items],
            **({"legal_mandate": ask.legal_mandate} if ask.legal_mandate else {}),
        }
        for order in world.orders
        for ask in order.disclosures
    )
    live = tuple(c.id for c in world.consents if c.withdrawn_at is None)
    return HarnessWorld(bodies, live, key, recipient_keys)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(settings: Settings, workdir: Path) -> dict[str, str]:
    """The environment `databorder serve` and `databorder log verify` run with."""
    return {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
        "DATABORDER_MAIL_DIR": str(workdir / "mail"),
    }


class Server:
    """`databorder serve` in a process group of its own, so a kill takes all of it."""

    def __init__(self, env: dict[str, str], log: TextIO) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.url: str | None = None  # None while it is down: writers wait
        self.starts: list[float] = []  # seconds from spawn to ready, per start

    def start(self) -> None:
        port = free_port()
        began = time.monotonic()
        self.process = subprocess.Popen(
            [str(DATABORDER), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = began + READY_SECONDS
        with httpx2.Client(timeout=2.0) as probe:
            while True:
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"the server exited with {self.process.returncode} before it was ready"
                    )
                try:
                    if probe.get(f"{url}/ready").status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"the server was not ready within {READY_SECONDS} s")
                time.sleep(0.05)
        self.starts.append(time.monotonic() - began)
        self.url = url

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a pulled plug would: no shutdown runs."""
        process = self._running()
        self.url = None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM, the graceful stop; answers the exit code."""
        process = self._running()
        self.url = None
        process.terminate()
        return process.wait(timeout=60)

    def ensure_gone(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def _running(self) -> "subprocess.Popen[bytes]":
        if self.process is None or self.process.poll() is not None:
            raise AssertionError("the server is not running")
        return self.process


@dataclass(frozen=True, slots=True)
class AckedDisclosure:
    disclosure_id: str
    order_id: str
    recipient_id: str
    allowed: bool
    grant_id: str | None
    grant_token: str | None
    leaf_index: int


@dataclass(frozen=True, slots=True)
class AckedWithdrawal:
    consent_id: str
    request_id: str
    grants_revoked: int


@dataclass
class Tally:
    """Everything the writers were answered; lists and counters appended from many threads."""

    disclosures: list[AckedDisclosure] = field(default_factory=list)
    withdrawals: list[AckedWithdrawal] = field(default_factory=list)
    reads: Counter[str] = field(default_factory=Counter)  # acknowledged seller reads by grant
    statuses: Counter[int] = field(default_factory=Counter)
    in_doubt: int = 0  # sent, and cut off before an answer
    retries: int = 0  # disclosures sent again with their Idempotency-Key
    replayed: int = 0  # ... answered with the first answer (`Idempotent-Replayed: true`)
    committed_keys: set[str] = field(default_factory=set)  # keys whose disclosure was answered 2xx
    unresolved_keys: set[str] = field(default_factory=set)  # in doubt when the writers stopped
    server_errors: list[str] = field(default_factory=list)  # any 5xx, with its body
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:  # thousands of entries: a failing assertion shows the counts
        return (
            f"Tally({len(self.disclosures)} disclosures, {len(self.withdrawals)} withdrawals, "
            f"{self.reads.total()} reads acknowledged; {self.in_doubt} in doubt, "
            f"{self.retries} retries; answers {dict(self.statuses)})"
        )

    def acks(self) -> int:
        return len(self.disclosures) + len(self.withdrawals) + self.reads.total()


class Writers:
    """`count` threads, each a client sending one request after another (a closed loop)."""

    def __init__(self, server: Server, world: HarnessWorld, plan: Plan, seed: int = 7) -> None:
        self.server = server
        self.world = world
        self.plan = plan
        self.tally = Tally()
        self._stop = threading.Event()
        self._resolve_until = float("inf")
        self._consents = list(world.consents)
        random.Random(seed).shuffle(self._consents)
        self._threads = [
            threading.Thread(target=self._run, args=(seed + n,), daemon=True)
            for n in range(plan.writers)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop sending new requests; retry those in doubt for up to `plan.resolve_seconds`."""
        self._resolve_until = time.monotonic() + self.plan.resolve_seconds
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.plan.resolve_seconds + REQUEST_SECONDS + 10)
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            raise AssertionError(f"writer threads did not stop: {alive}")

    def wait_for_acks(self, more: int, timeout: float = 120.0) -> None:
        """Until `more` new acknowledgements arrived (from the server now running)."""
        target = self.tally.acks() + more
        deadline = time.monotonic() + timeout
        while self.tally.acks() < target:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"only {self.tally.acks()} of {target} acknowledgements after {timeout} s; "
                    f"answers so far: {dict(self.tally.statuses)}"
                )
            time.sleep(0.02)

    def _take_consent(self) -> str | None:
        with self.tally.lock:
            return self._consents.pop() if self._consents else None

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {self.world.platform_key}"}
        # Disclosures cut off before their answer, sent again (same key, same body) as a client
        # would: (not before, key, body).
        doubts: list[tuple[float, str, dict[str, Any]]] = []
        with httpx2.Client(timeout=REQUEST_SECONDS, headers=headers) as client:
            while not self._stop.is_set() or (doubts and time.monotonic() < self._resolve_until):
                url = self.server.url
                if url is None:
                    time.sleep(0.01)
                    continue
                due = next((d for d in doubts if d[0] <= time.monotonic()), None)
                if due is not None:
                    doubts.remove(due)
                    with self.tally.lock:
                        self.tally.retries += 1
                    self._keyed(client, url, due[1], due[2], doubts)
                    continue
                if self._stop.is_set():
                    time.sleep(0.05)  # only retries now, and none is due yet
                    continue
                draw = rng.random()
                consent = self._take_consent() if draw < self.plan.withdraw_share else None
                granted = (
                    rng.choice(self.tally.disclosures)
                    if consent is None
                    and draw < self.plan.withdraw_share + self.plan.read_share
                    and self.tally.disclosures
                    else None
                )
                try:
                    if consent is not None:
                        self._withdraw(client, url, consent)
                    elif granted is not None and granted.grant_token is not None:
                        self._read(client, url, granted)
                    else:
                        key = f"crash-{rng.getrandbits(96):024x}"
                        self._keyed(client, url, key, rng.choice(self.world.disclosures), doubts)
                except httpx2.ConnectError:
                    time.sleep(0.01)  # never reached a server: nothing was sent
                except httpx2.TransportError:
                    with self.tally.lock:
                        self.tally.in_doubt += 1
        with self.tally.lock:
            self.tally.unresolved_keys.update(key for _, key, _ in doubts)

    def _keyed(
        self,
        client: httpx2.Client,
        url: str,
        key: str,
        body: dict[str, Any],
        doubts: list[tuple[float, str, dict[str, Any]]],
    ) -> None:
        """A disclosure under its Idempotency-Key; in doubt or told to wait, it is kept to retry."""
        try:
            answer = self._disclose(client, url, body, key)
        except httpx2.ConnectError:
            doubts.append((time.monotonic() + 0.05, key, body))  # not sent: simply again
            return
        except httpx2.TransportError:
            with self.tally.lock:
                self.tally.in_doubt += 1
            doubts.append((time.monotonic(), key, body))
            return
        if answer.status_code == 409 and "retry-after" in answer.headers:
            wait = float(answer.headers["retry-after"])
            doubts.append((time.monotonic() + wait, key, body))

    def _answered(self, answer: httpx2.Response) -> bool:
        with self.tally.lock:
            self.tally.statuses[answer.status_code] += 1
            if answer.status_code >= 500:
                self.tally.server_errors.append(
                    f"{answer.request.method} {answer.request.url.path}: "
                    f"{answer.status_code} {answer.text[:300]}"
                )
        return answer.is_success

    def _disclose(
        self, client: httpx2.Client, url: str, body: dict[str, Any], key: str
    ) -> httpx2.Response:
        answer = client.post(f"{url}/v1/disclosures", json=body, headers={"Idempotency-Key": key})
        if not self._answered(answer):
            return answer
        got = answer.json()
        with self.tally.lock:
            self.tally.committed_keys.add(key)
            self.tally.replayed += answer.headers.get("idempotent-replayed") == "true"
        grant = got["grant"]
        self.tally.disclosures.append(
            AckedDisclosure(
                disclosure_id=got["disclosure_id"],
                order_id=body["order_id"],
                recipient_id=body["recipient_id"],
                allowed=bool(got["decision"]["allowed"]),
                grant_id=grant["id"] if grant else None,
                grant_token=grant["token"] if grant else None,
                leaf_index=int(got["log"]["leaf_index"]),
            )
        )
        return answer

    def _read(self, client: httpx2.Client, url: str, granted: AckedDisclosure) -> None:
        answer = client.get(
            f"{url}/v1/seller/orders/{granted.order_id}/data",
            headers={
                "Authorization": f"Bearer {self.world.recipient_keys[granted.recipient_id]}",
                "X-Grant-Token": str(granted.grant_token),
            },
        )
        if self._answered(answer):
            with self.tally.lock:
                self.tally.reads[str(granted.grant_id)] += 1

    def _withdraw(self, client: httpx2.Client, url: str, consent: str) -> None:
        answer = client.post(f"{url}/v1/consents/{consent}/withdraw", json={})
        if not self._answered(answer):
            return
        got = answer.json()
        self.tally.withdrawals.append(
            AckedWithdrawal(consent, got["request_id"], int(got["grants_revoked"]))
        )


@dataclass(frozen=True, slots=True)
class AttackRecord:
    plan: Plan
    tally: Tally
    kills: int
    starts: tuple[float, ...]  # seconds to ready: the first start, then one per kill
    read_back: Counter[int]  # GET /v1/disclosures/{id} of acknowledged ones, after the last start
    graceful_exit: int  # the last server's exit code after SIGTERM


@contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.ensure_gone()


def attack(settings: Settings, world: HarnessWorld, plan: Plan, workdir: Path) -> AttackRecord:
    """Start, load, SIGKILL mid-load, restart; `plan.kills` times; then read back and stop."""
    rng = random.Random(3)
    with (
        (workdir / "server.log").open("a", encoding="utf-8") as log,
        running(Server(server_env(settings, workdir), log)) as server,
    ):
        server.start()
        writers = Writers(server, world, plan)
        writers.start()
        try:
            for _ in range(plan.kills):
                writers.wait_for_acks(plan.acks_per_round)
                time.sleep(rng.uniform(0, plan.jitter_seconds))
                server.kill()
                server.start()  # the restart must come up and serve again
            writers.wait_for_acks(plan.acks_per_round)  # ... and it does
        finally:
            writers.stop()
        read_back: Counter[int] = Counter()
        sample = rng.sample(writers.tally.disclosures, min(50, len(writers.tally.disclosures)))
        headers = {"Authorization": f"Bearer {world.platform_key}"}
        with httpx2.Client(timeout=REQUEST_SECONDS, headers=headers) as client:
            for ack in sample:
                got = client.get(f"{server.url}/v1/disclosures/{ack.disclosure_id}")
                read_back[got.status_code] += 1
        code = server.stop()
    return AttackRecord(plan, writers.tally, plan.kills, tuple(server.starts), read_back, code)


@dataclass(frozen=True, slots=True)
class Findings:
    """What broke, by the rule it broke; every list empty means the attack found nothing."""

    missing_acknowledged: list[str]
    half_written: list[str]
    withdrawals: list[str]
    retries: list[str]
    log_verify: list[str]
    counts: dict[str, int]

    def summary(self, record: AttackRecord) -> dict[str, Any]:
        tally = record.tally
        return {
            "kills": record.kills,
            "writers": record.plan.writers,
            "acknowledged_disclosures": len(tally.disclosures),
            "acknowledged_withdrawals": len(tally.withdrawals),
            "acknowledged_seller_reads": tally.reads.total(),
            "in_doubt": tally.in_doubt,
            "retried_with_idempotency_key": tally.retries,
            "replayed_first_answer": tally.replayed,
            "unresolved_at_end": len(tally.unresolved_keys - tally.committed_keys),
            "answers": {str(k): v for k, v in sorted(tally.statuses.items())},
            "restart_to_ready_seconds_max": round(max(record.starts), 2),
            **self.counts,
        }


def _leaf_kinds(leaves: list[tuple[int, bytes]]) -> dict[str, dict[str, int]]:
    """Leaf indexes by the record they name: {"disclosure": {id: index}, "seller_read": ...}."""
    kinds: dict[str, dict[str, int]] = {}
    for index, data in leaves:
        record = json.loads(data)
        kinds.setdefault(str(record.get("type")), {})[str(record.get("id"))] = index
    return kinds


def check(settings: Settings, record: AttackRecord, workdir: Path, limit: int = 20) -> Findings:
    """Read the database after the attack and say what does not hold (at most `limit` each)."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            disclosures = {
                r.id: r
                for r in conn.execute(
                    select(
                        Disclosure.id,
                        Disclosure.order_id,
                        Disclosure.recipient_id,
                        Disclosure.grant_id,
                        Disclosure.leaf_index,
                    )
                )
            }
            grants = {
                r.id: r
                for r in conn.execute(
                    select(
                        AccessGrant.id,
                        AccessGrant.recipient_id,
                        AccessGrant.order_id,
                        AccessGrant.token_hash,
                        AccessGrant.consent_ids,
                        AccessGrant.revoked_at,
                    )
                )
            }
            reads: dict[str, int | None] = {}
            read_grants: Counter[str] = Counter()
            for ident, grant_id, index in conn.execute(
                select(SellerRead.id, SellerRead.grant_id, SellerRead.leaf_index)
            ):
                reads[ident] = index
                read_grants[grant_id] += 1
            leaves = [(i, bytes(d)) for i, d in conn.execute(select(LogLeaf.index, LogLeaf.data))]
            withdrawn = set(
                conn.scalars(select(Consent.id).where(Consent.withdrawn_at.is_not(None)))
            )
            requests = set(conn.scalars(select(RightsRequest.id)))
    finally:
        engine.dispose()

    by_kind = _leaf_kinds(leaves)
    missing: list[str] = []
    for ack in record.tally.disclosures:
        row = disclosures.get(ack.disclosure_id)
        if row is None:
            missing.append(f"disclosure {ack.disclosure_id} was acknowledged and is gone")
            continue
        if (row.order_id, row.recipient_id) != (ack.order_id, ack.recipient_id):
            missing.append(f"disclosure {ack.disclosure_id} names another order or recipient")
        if row.leaf_index != ack.leaf_index:
            missing.append(
                f"disclosure {ack.disclosure_id}: answered leaf {ack.leaf_index}, "
                f"stored {row.leaf_index}"
            )
        if by_kind.get("disclosure", {}).get(ack.disclosure_id) != ack.leaf_index:
            missing.append(
                f"disclosure {ack.disclosure_id}: leaf {ack.leaf_index} does not name it"
            )
        if row.grant_id != ack.grant_id:
            missing.append(
                f"disclosure {ack.disclosure_id}: answered grant {ack.grant_id}, "
                f"stored {row.grant_id}"
            )
        if ack.grant_id is not None:
            grant = grants.get(ack.grant_id)
            if grant is None:
                missing.append(f"grant {ack.grant_id} was acknowledged and is gone")
            elif ack.grant_token is None or grant.token_hash != hash_secret(ack.grant_token):
                missing.append(f"grant {ack.grant_id}: the token answered does not open it")
    missing.extend(
        f"grant {grant_id}: {acked} reads acknowledged, {read_grants[grant_id]} recorded"
        for grant_id, acked in record.tally.reads.items()
        if read_grants[grant_id] < acked
    )

    half: list[str] = []
    indexes = sorted(i for i, _ in leaves)
    if indexes != list(range(len(indexes))):
        half.append(f"leaf indexes are not 0..{len(indexes) - 1} without gaps")
    stored: dict[tuple[str, str], int | None] = {
        ("disclosure", ident): row.leaf_index for ident, row in disclosures.items()
    } | {("seller_read", ident): index for ident, index in reads.items()}
    half.extend(
        f"leaf {index} names {kind} {ident}, whose row is missing or names another leaf"
        for kind, named in by_kind.items()
        for ident, index in named.items()
        if stored.get((kind, ident)) != index
    )
    half.extend(
        f"{kind} {ident} has no leaf naming it (its row says {index})"
        for (kind, ident), index in stored.items()
        if index is None or by_kind.get(kind, {}).get(ident) != index
    )
    granted = Counter(row.grant_id for row in disclosures.values() if row.grant_id is not None)
    half.extend(
        f"grant {grant_id} is named by {granted[grant_id]} disclosures, not 1"
        for grant_id in grants
        if granted[grant_id] != 1
    )
    half.extend(
        f"disclosure {row.id} names grant {row.grant_id}, which does not exist"
        for row in disclosures.values()
        if row.grant_id is not None and row.grant_id not in grants
    )

    withdrawals: list[str] = []
    for withdrawal in record.tally.withdrawals:
        consent = withdrawal.consent_id
        if consent not in withdrawn:
            withdrawals.append(f"consent {consent}: withdrawal acknowledged, not recorded")
        if withdrawal.request_id not in requests:
            withdrawals.append(f"consent {consent}: request {withdrawal.request_id} is gone")
    withdrawals.extend(
        f"grant {grant.id} is live on withdrawn consent(s) {sorted(set(grant.consent_ids) & withdrawn)}"
        for grant in grants.values()
        if grant.revoked_at is None and set(grant.consent_ids) & withdrawn
    )

    # Every disclosure the writers sent carried its own Idempotency-Key and was retried with it
    # when cut off, so each key made at most one row: as many rows as keys answered 2xx, plus
    # at most one for each key still in doubt at the end.
    tally = record.tally
    committed, unresolved = (
        len(tally.committed_keys),
        len(tally.unresolved_keys - tally.committed_keys),
    )
    retries: list[str] = []
    if not committed <= len(disclosures) <= committed + unresolved:
        retries.append(
            f"{len(disclosures)} disclosure rows from {committed} keys answered and "
            f"{unresolved} in doubt: a retry made a second disclosure (or an answer lied)"
        )
    answered = [a.disclosure_id for a in tally.disclosures]
    if len(set(answered)) != len(answered):
        retries.append("two keys were answered with the same disclosure")

    verified = subprocess.run(
        [str(DATABORDER), "log", "verify"],
        env=server_env(settings, workdir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log_verify = (
        []
        if verified.returncode == 0 and verified.stdout.startswith("log intact")
        else [f"exit {verified.returncode}: {verified.stdout}{verified.stderr}"]
    )
    counts = {
        "disclosure_rows": len(disclosures),
        "grants": len(grants),
        "seller_reads": len(reads),
        "log_leaves": len(leaves),
        "withdrawn_consents": len(withdrawn),
    }
    return Findings(missing[:limit], half[:limit], withdrawals[:limit], retries, log_verify, counts)
