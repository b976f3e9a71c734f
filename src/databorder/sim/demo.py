"""`make demo`: a synthetic marketplace run end to end through the real system, then served.

The world is loaded through the real services and its notice versions published at their times
through the `NoticePublisher`; every order's disclosures go through the gateway in time order
(batched), the regulator's suspension order is recorded when it is issued (ending the grants it
covers), deliveries are recorded, grants made before a later withdrawal are revoked as the
withdrawal would have done, and the summary is computed from the outcomes (a test checks it
against the database): decisions by basis, ground and article, by reason code, across the
border or at home, the published versions and the suspension orders.
"""

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from databorder.gateway.services import revoke_grants_for_consent
from databorder.gateway.types import DisclosureAsk, DisclosureOutcome
from databorder.model import Disposition, ReasonCode
from databorder.policy.types import Decision
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime, build, init_keys
from databorder.settings import Settings
from databorder.sim._base import DEFAULT_DAYS
from databorder.sim.load import add_suspension_order, load_world
from databorder.sim.types import SuspensionSpec, World
from databorder.sim.world import generate_world
from databorder.store.db import make_engine
from databorder.store.migrate import upgrade
from databorder.store.query import by_id

BATCH = 1000
T = TypeVar("T")


@dataclass
class DemoSummary:
    seed: int
    world: dict[str, int]
    recipient_countries: dict[str, int]
    consents_by_kind: dict[str, int]
    notice_versions: list[dict[str, Any]]
    suspension_orders: list[dict[str, Any]]
    decisions: int
    allowed: int
    refused: int
    cross_border: dict[str, int]
    domestic: dict[str, int]
    by_basis: dict[str, int]  # decisions resting on each basis
    by_basis_ground: dict[str, int]  # decisions per "basis / ground / article"
    by_ground: dict[str, int]
    reason_codes: dict[str, int]
    grants_created: int
    grants_revoked_by_withdrawal: int
    grants_ended_by_suspension_order: int
    deliveries: int
    log_leaves: int
    seconds: dict[str, float] = field(default_factory=dict)
    disclosures_per_second: float = 0.0
    example: dict[str, str] | None = None


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def basis_keys(bases: Sequence[tuple[str, str, str]]) -> tuple[set[str], set[str]]:
    """A decision's distinct bases, and its distinct "basis / ground / article" keys."""
    return {b for b, _, _ in bases}, {f"{b} / {g} / {a}" for b, g, a in bases}


def _owner_only(path: Path) -> int:
    """`path` opened for writing, emptied, readable by its owner alone (even if it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _fresh(directory: Path) -> Settings:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in directory.glob("demo.db*"):
        old.unlink()
    # Every buyer's sealed data lives here. SQLite creates a new file 0644, and its -wal and
    # -shm files with the database file's mode: created owner-only first, all of them are.
    os.close(_owner_only(directory / "demo.db"))
    settings = Settings(
        database_url=f"sqlite:///{directory / 'demo.db'}",
        key_dir=directory / "keys",
        mail_dir=directory / "mail",  # recipients' rights tasks, as the mail they would get
        audit_dir=directory / "audit",  # the evidence packs of audit runs
    )
    init_keys(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    return settings


def _segments(
    asks: Sequence[tuple[DisclosureAsk, datetime]], orders: Sequence[SuspensionSpec]
) -> Iterator[tuple[Sequence[tuple[DisclosureAsk, datetime]], SuspensionSpec | None]]:
    """The asks in time order, cut where a suspension order is issued: (asks before, order)."""
    begin = 0
    for order in sorted(orders, key=lambda o: o.starts_at):
        end = begin
        while end < len(asks) and asks[end][1] < order.starts_at:
            end += 1
        yield asks[begin:end], order
        begin = end
    yield asks[begin:], None


def _disclose(
    rt: Runtime, world: World
) -> tuple[list[tuple[DisclosureAsk, datetime, DisclosureOutcome]], dict[str, int]]:
    """Every ask through the gateway in time order; suspension orders recorded when issued."""
    asks = sorted(
        (
            (
                DisclosureAsk(o.id, d.recipient_id, d.purpose, d.items, d.legal_mandate),
                o.ordered_at + timedelta(minutes=d.minutes_after_order),
            )
            for o in world.orders
            for d in o.disclosures
        ),
        key=lambda pair: pair[1],
    )
    done: list[tuple[DisclosureAsk, datetime, DisclosureOutcome]] = []
    ended: dict[str, int] = {}
    home = rt.engine.pack.home_country
    for segment, order in _segments(asks, world.suspension_orders):
        for chunk in batched(segment, BATCH):
            with rt.sessions.begin() as session:
                # The world's history replayed in time order: its consents were recorded
                # with their withdrawals up front, so the rights floor is the replay's own.
                outcomes = rt.gateway.disclose_many(session, chunk, rights_floor=False)
            done.extend((a, at, o) for (a, at), o in zip(chunk, outcomes, strict=True))
        if order is not None:
            with rt.sessions.begin() as session:
                _, ended[order.id] = add_suspension_order(session, order, home)
    return done, ended


def _order_summary(
    world: World,
    done: Sequence[tuple[DisclosureAsk, datetime, DisclosureOutcome]],
    ended: dict[str, int],
) -> list[dict[str, Any]]:
    countries = {r.id: {r.country, *r.data_countries} for r in world.recipients}
    out = []
    for order in world.suspension_orders:
        refused = sum(
            1
            for ask, at, outcome in done
            if (
                ask.recipient_id == order.recipient_id
                or (order.country is not None and order.country in countries[ask.recipient_id])
            )
            and order.starts_at <= at
            and (order.ends_at is None or at < order.ends_at)
            and any(r.code is ReasonCode.TRANSFER_ORDER_SUSPENDED for r in outcome.decision.reasons)
        )
        out.append(
            {
                "id": order.id,
                "recipient_id": order.recipient_id,
                "country": order.country,
                "starts_at": order.starts_at.isoformat(),
                "ends_at": order.ends_at.isoformat() if order.ends_at else None,
                "reference": order.reference,
                "decisions_refused": refused,
                "grants_ended": ended.get(order.id, 0),
            }
        )
    return out


def _split(decisions: Sequence[Decision]) -> dict[str, int]:
    allowed = sum(d.allowed for d in decisions)
    return {"decisions": len(decisions), "allowed": allowed, "refused": len(decisions) - allowed}


def simulate(
    rt: Runtime, seed: int, buyers: int, sellers: int, orders: int, now: datetime
) -> tuple[DemoSummary, list[DisclosureOutcome]]:
    """Generate, load and disclose; returns the summary and every outcome, in time order."""
    seconds: dict[str, float] = {}
    mark = time.perf_counter()
    start = (now - timedelta(days=DEFAULT_DAYS)).replace(minute=0, second=0, microsecond=0)
    world = generate_world(seed, buyers, sellers, orders, start)
    seconds["generate"] = time.perf_counter() - mark

    mark = time.perf_counter()
    with rt.sessions.begin() as session:
        loaded = load_world(session, rt, world, suspension_orders=False)
    seconds["load"] = time.perf_counter() - mark
    seconds["of which publish"] = loaded.publish_seconds

    mark = time.perf_counter()
    done, ended = _disclose(rt, world)
    seconds["disclose"] = time.perf_counter() - mark
    outcomes = [o for _, _, o in done]

    mark = time.perf_counter()
    deliveries = revoked = 0
    with rt.sessions.begin() as session:
        for order in world.orders:
            if order.delivered_at is not None:
                rt.gateway.mark_delivered(session, order.id, order.delivered_at)
                deliveries += 1
        for consent in world.consents:
            if consent.withdrawn_at is not None:
                revoked += revoke_grants_for_consent(
                    session, consent.buyer_id, consent.id, consent.withdrawn_at
                )
    seconds["deliveries_and_withdrawals"] = time.perf_counter() - mark

    decisions = [o.decision for o in outcomes]
    by_basis: Counter[str] = Counter()
    by_basis_ground: Counter[str] = Counter()
    for d in decisions:
        bases, keys = basis_keys([(b.basis.value, b.ground.value, b.article) for b in d.bases])
        by_basis.update(bases)
        by_basis_ground.update(keys)
    last = max((n.published_at for n in world.notices), default=None)
    summary = DemoSummary(
        seed=seed,
        world={
            "buyers": len(world.buyers),
            "recipients": len(world.recipients),
            "consents": len(world.consents),
            "orders": len(world.orders),
            "notice_versions": len(loaded.notices),
            "suspension_orders": len(world.suspension_orders),
            "recipients_registered_after_last_version": sum(
                1 for r in world.recipients if last is not None and r.created_at > last
            ),
        },
        recipient_countries=dict(Counter(r.country for r in world.recipients).most_common()),
        consents_by_kind=dict(Counter(c.kind.value for c in world.consents).most_common()),
        notice_versions=[
            {
                "version": v.version,
                "published_at": v.published_at.isoformat(),
                "recipients": v.recipient_count,
                "sha256": v.content_sha256,
                "summary": v.summary,
            }
            for v in loaded.notices
        ],
        suspension_orders=_order_summary(world, done, ended),
        decisions=len(decisions),
        allowed=sum(d.allowed for d in decisions),
        refused=sum(not d.allowed for d in decisions),
        cross_border=_split([d for d in decisions if d.cross_border]),
        domestic=_split([d for d in decisions if not d.cross_border]),
        by_basis=dict(by_basis.most_common()),
        by_basis_ground=dict(sorted(by_basis_ground.items())),
        by_ground=dict(Counter(d.ground.value if d.ground else "refused" for d in decisions)),
        reason_codes=dict(
            Counter(r.code.value for d in decisions for r in d.reasons).most_common()
        ),
        grants_created=sum(o.grant_id is not None for o in outcomes),
        grants_revoked_by_withdrawal=revoked,
        grants_ended_by_suspension_order=sum(ended.values()),
        deliveries=deliveries,
        log_leaves=sum(o.leaf_index is not None for o in outcomes),
        seconds=seconds,
        disclosures_per_second=len(outcomes) / seconds["disclose"] if outcomes else 0.0,
    )
    return summary, outcomes


def _example(
    rt: Runtime, outcomes: Sequence[DisclosureOutcome], now: datetime
) -> dict[str, str] | None:
    """A live grant with a relayed phone, and a fresh API key for its recipient, to try."""
    from databorder.gateway.models import AccessGrant  # noqa: PLC0415

    with rt.sessions.begin() as session:
        for outcome in reversed(outcomes):
            if outcome.grant_id is None or outcome.grant_token is None:
                continue
            if Disposition.RELAY not in outcome.decision.items.values():
                continue
            grant = by_id(session, AccessGrant, outcome.grant_id)
            if grant is None or grant.revoked_at is not None or grant.expires_at <= now:
                continue
            key = RegistryService(session).issue_api_key(grant.recipient_id, now)
            return {
                "order_id": grant.order_id,
                "buyer_id": grant.subject_id,
                "recipient_id": grant.recipient_id,
                "api_key": key,
                "grant_token": outcome.grant_token,
            }
    return None


def _counts(values: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in values.items())


def _print(summary: DemoSummary, echo: Callable[[str], None]) -> None:
    w = summary.world
    echo(
        f"world: {w['buyers']:,} buyers, {w['recipients']:,} recipients in "
        f"{len(summary.recipient_countries)} countries, {w['consents']:,} consents "
        f"({_counts(summary.consents_by_kind)}), {w['orders']:,} orders"
    )
    versions = summary.notice_versions
    echo(
        f"notice versions published: {len(versions)} ("
        + ", ".join(f"{v['version']}: {v['recipients']}" for v in versions)
        + f" recipients named); {w['recipients_registered_after_last_version']} recipients "
        "registered after the last one"
    )
    for o in summary.suspension_orders:
        target = o["recipient_id"] or o["country"]
        echo(
            f"suspension order {o['id']} on {target}, {o['starts_at'][:10]} to "
            f"{(o['ends_at'] or 'open')[:10]}: {o['decisions_refused']} decisions refused, "
            f"{o['grants_ended']} grants ended ({o['reference']})"
        )
    xb, home = summary.cross_border, summary.domestic
    echo(
        f"decisions: {summary.decisions:,} ({summary.allowed:,} allowed, {summary.refused:,} "
        f"refused); cross-border {xb['decisions']:,} ({xb['allowed']:,} allowed), domestic "
        f"{home['decisions']:,} ({home['allowed']:,} allowed)"
    )
    echo("by basis (decisions resting on it): " + _counts(summary.by_basis))
    echo("by basis / ground / article:")
    for key, count in summary.by_basis_ground.items():
        echo(f"  {key}: {count:,}")
    echo("by ground: " + _counts(dict(sorted(summary.by_ground.items()))))
    echo("reason codes: " + _counts(dict(sorted(summary.reason_codes.items()))))
    echo(
        f"grants: {summary.grants_created:,} created, {summary.grants_revoked_by_withdrawal:,} "
        f"revoked by later withdrawals, {summary.grants_ended_by_suspension_order:,} ended by "
        f"suspension orders; deliveries recorded: {summary.deliveries:,}"
    )
    echo(f"disclosure log: {summary.log_leaves:,} leaves")
    timing = ", ".join(f"{k} {v:.2f} s" for k, v in summary.seconds.items())
    echo(f"time: {timing}; {summary.disclosures_per_second:,.0f} disclosures/s")


def _audit(rt: Runtime, echo: Callable[[str], Any]) -> None:
    """The nightly sweep, as cron runs it in production (`databorder sweep`), then the
    compliance audit over what the demo did, with its evidence pack."""
    from databorder.audit.types import Window  # noqa: PLC0415
    from databorder.gateway.sweeper import sweep  # noqa: PLC0415

    with rt.sessions.begin() as session:
        swept = sweep(session, rt.now(), rt.engine.pack.home_country)
    echo(f"sweep (databorder sweep, nightly): {swept.grants_ended:,} expired grants ended")
    started = time.perf_counter()
    run = rt.audits.run("demo", Window())
    checks = sum(1 for n in run.by_check.values() if n)
    echo(
        f"compliance audit: {run.findings:,} findings in {checks} of {len(run.by_check)} checks "
        f"({time.perf_counter() - started:.1f} s); evidence pack "
        f"{rt.settings.audit_dir / (run.id + '.tar.gz')}"
    )
    for check, count in sorted(run.by_check.items()):
        if count:
            echo(f"  {check}: {count:,}")
    echo(
        "  check it: databorder audit verify-pack <pack>; read report.ko.html inside (docs/audit.md)"
    )


def run_demo(
    directory: Path,
    *,
    seed: int,
    buyers: int,
    sellers: int,
    orders: int,
    serve: bool,
    port: int,
    echo: Callable[[str], Any],
) -> DemoSummary:
    started = time.perf_counter()
    settings = _fresh(directory)
    rt = build(settings)
    now = rt.now()
    summary, outcomes = simulate(rt, seed, buyers, sellers, orders, now)
    summary.example = _example(rt, outcomes, now)
    summary.seconds["total"] = time.perf_counter() - started
    # It holds a live recipient API key and grant token: owner-only, like the key files.
    with os.fdopen(_owner_only(directory / "summary.json"), "w", encoding="utf-8") as out:
        out.write(json.dumps(asdict(summary), indent=2, ensure_ascii=False))
    _print(summary, echo)
    echo(f"summary written to {directory / 'summary.json'}")
    _audit(rt, echo)
    if summary.example:
        ex = summary.example
        echo(
            "try a seller's read (synthetic data; relay and masked values never show the real one):"
        )
        echo(
            f"  curl -s http://127.0.0.1:{port}/v1/seller/orders/{ex['order_id']}/data "
            f"-H 'Authorization: Bearer {ex['api_key']}' -H 'X-Grant-Token: {ex['grant_token']}'"
        )
    if serve:
        from databorder.api.app import create_app  # noqa: PLC0415
        from databorder.api.server import serve as run  # noqa: PLC0415
        from databorder.web.buyer_session import load_keys, login_link  # noqa: PLC0415

        echo(f"serving http://127.0.0.1:{port} (OpenAPI docs at /docs); Ctrl-C to stop")
        echo(f"the public privacy policy: http://127.0.0.1:{port}/privacy")
        login_key = load_keys(settings.key_dir).login
        if summary.example and login_key.signing is not None:
            link = login_link(
                summary.example["buyer_id"], f"http://127.0.0.1:{port}", login_key, rt.now()
            )
            echo(f"a buyer's privacy center (a one-time link, valid two minutes): {link}")
        run(create_app(rt), "127.0.0.1", port, level="WARNING")
    rt.db.dispose()
    return summary
