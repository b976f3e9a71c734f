"""`make demo`: a synthetic marketplace run end to end through the real system, then served.

Every order's disclosures go through the gateway in time order (batched), deliveries are
recorded, grants made before a later withdrawal are revoked as the withdrawal would have done,
and the summary is computed from the outcomes (a test checks it against the database).
"""

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from databorder.gateway.services import revoke_grants_for_consent
from databorder.gateway.types import DisclosureAsk, DisclosureOutcome
from databorder.model import Disposition
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime, build, init_keys
from databorder.settings import Settings
from databorder.sim.load import load_world
from databorder.sim.world import DEFAULT_DAYS, generate_world
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
    decisions: int
    allowed: int
    refused: int
    cross_border: int
    by_ground: dict[str, int]
    reason_codes: dict[str, int]
    grants_created: int
    grants_revoked_by_withdrawal: int
    deliveries: int
    log_leaves: int
    seconds: dict[str, float] = field(default_factory=dict)
    disclosures_per_second: float = 0.0
    example: dict[str, str] | None = None


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fresh(directory: Path) -> Settings:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("demo.db*"):
        old.unlink()
    settings = Settings(
        database_url=f"sqlite:///{directory / 'demo.db'}", key_dir=directory / "keys"
    )
    init_keys(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    return settings


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
        load_world(session, rt.vault, world)
    seconds["load"] = time.perf_counter() - mark

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
    mark = time.perf_counter()
    outcomes: list[DisclosureOutcome] = []
    for chunk in batched(asks, BATCH):
        with rt.sessions.begin() as session:
            outcomes.extend(rt.gateway.disclose_many(session, chunk))
    seconds["disclose"] = time.perf_counter() - mark

    mark = time.perf_counter()
    deliveries = revoked = 0
    with rt.sessions.begin() as session:
        for order in world.orders:
            if order.delivered_at is not None:
                rt.gateway.mark_delivered(session, order.id, order.delivered_at)
                deliveries += 1
        for consent in world.consents:
            if consent.withdrawn_at is not None:
                revoked += revoke_grants_for_consent(session, consent.id, consent.withdrawn_at)
    seconds["deliveries_and_withdrawals"] = time.perf_counter() - mark

    decisions = [o.decision for o in outcomes]
    summary = DemoSummary(
        seed=seed,
        world={
            "buyers": len(world.buyers),
            "recipients": len(world.recipients),
            "consents": len(world.consents),
            "orders": len(world.orders),
            "notice_versions": len(world.notices),
        },
        recipient_countries=dict(Counter(r.country for r in world.recipients).most_common()),
        decisions=len(decisions),
        allowed=sum(d.allowed for d in decisions),
        refused=sum(not d.allowed for d in decisions),
        cross_border=sum(d.cross_border for d in decisions),
        by_ground=dict(Counter(d.ground.value if d.ground else "refused" for d in decisions)),
        reason_codes=dict(Counter(r.code.value for d in decisions for r in d.reasons)),
        grants_created=sum(o.grant_id is not None for o in outcomes),
        grants_revoked_by_withdrawal=revoked,
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
                "recipient_id": grant.recipient_id,
                "api_key": key,
                "grant_token": outcome.grant_token,
            }
    return None


def _print(summary: DemoSummary, echo: Callable[[str], None]) -> None:
    w = summary.world
    echo(
        f"world: {w['buyers']} buyers, {w['recipients']} recipients in "
        f"{len(summary.recipient_countries)} countries, {w['consents']} consents, "
        f"{w['orders']} orders"
    )
    echo(
        f"decisions: {summary.decisions} ({summary.allowed} allowed, {summary.refused} refused, "
        f"{summary.cross_border} cross-border)"
    )
    echo("by ground: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_ground.items())))
    echo("reason codes: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.reason_codes.items())))
    echo(
        f"grants: {summary.grants_created} created, {summary.grants_revoked_by_withdrawal} "
        f"revoked by later withdrawals; deliveries recorded: {summary.deliveries}"
    )
    echo(f"disclosure log: {summary.log_leaves} leaves")
    timing = ", ".join(f"{k} {v:.2f} s" for k, v in summary.seconds.items())
    echo(f"time: {timing}; {summary.disclosures_per_second:,.0f} disclosures/s")


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
    (directory / "summary.json").write_text(json.dumps(asdict(summary), indent=2), "utf-8")
    _print(summary, echo)
    echo(f"summary written to {directory / 'summary.json'}")
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
        import uvicorn  # noqa: PLC0415

        from databorder.api.app import create_app  # noqa: PLC0415

        echo(f"serving http://127.0.0.1:{port} (OpenAPI docs at /docs); Ctrl-C to stop")
        uvicorn.run(create_app(rt), host="127.0.0.1", port=port, log_level="warning")
    rt.db.dispose()
    return summary
