"""The privacy center for a buyer whose data went out 200 times: home and "who has my data".

Goal (issue 16): both pages at p95 under 50 ms server-side on SQLite, for a buyer with 200
disclosures. The world: 40 sellers in 8 countries and a Korean carrier, all named in a
published notice; one buyer with both consents, 100 orders from those sellers, and for each
order a disclosure to its seller and one to the carrier, decided and logged by the real
gateway (200 disclosures, 200 grants, 200 log leaves). Timed twice, like bench_notices: the
view alone (`views.home` / `views.my_data`, the queries and the values the template gets),
and the whole page through the ASGI app in-process (session check, handler, queries,
template, headers; no network), which is what "server-side" means here.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from databorder.api.app import create_app
from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.gateway.types import DisclosureAsk
from databorder.marketplace.models import Buyer
from databorder.marketplace.schemas import BuyerIn, BuyerPii, OrderIn
from databorder.marketplace.services import MarketplaceService
from databorder.model import DataItem, Purpose
from databorder.registry.schemas import RecipientIn
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime, build, init_keys
from databorder.settings import Settings
from databorder.store.migrate import upgrade
from databorder.web.buyer_session import load_keys, login_link
from databorder.web.me import views

COUNTRIES = ("CN", "US", "JP", "VN", "SG", "DE", "FR", "GB")
SELLERS = 40
ORDERS = 100
BUYER = "b-bench"
REGISTERED = datetime(2026, 9, 1, tzinfo=UTC)
NOTICE_AT = datetime(2026, 10, 1, tzinfo=UTC)
GIVEN = datetime(2026, 10, 15, tzinfo=UTC)
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOW = START + timedelta(days=20)
SHIP = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE)


def _recipient(session: Any, rid: str, name: str, country: str, role: str) -> None:
    RegistryService(session).create(
        RecipientIn.model_validate(
            {
                "id": rid,
                "legal_name": name,
                "country": country,
                "role": role,
                "privacy_email": f"privacy@{rid}.example.com",
                "privacy_phone": "+82 2 555 0100" if country == "KR" else None,
                "contract_safeguards": True,
                "retention_days": 30,
            }
        ),
        REGISTERED,
    )


def _world(rt: Runtime) -> int:
    sellers = [f"s-{COUNTRIES[n % len(COUNTRIES)].lower()}-{n:03d}" for n in range(SELLERS)]
    with rt.sessions.begin() as session:
        for n, rid in enumerate(sellers):
            country = COUNTRIES[n % len(COUNTRIES)]
            _recipient(session, rid, f"Bench Seller {n:03d} Co., Ltd.", country, "seller")
        _recipient(session, "p-kr-carrier", "벤치택배 주식회사", "KR", "processor")
        rt.publisher.publish(session, NOTICE_AT, "2026-10-01")
        pii = BuyerPii(
            name="김벤치",
            phone="010-2345-6789",
            email="bench@example.kr",
            address="서울특별시 강남구 테헤란로 123 4층",
            postal_code="06234",
        )
        market = MarketplaceService(session, rt.vault)
        market.register_buyer(BuyerIn.model_validate({"id": BUYER, "pii": pii}), GIVEN)
        for cid, kind in (("c-t", "overseas_transfer"), ("c-p", "third_party_provision")):
            ConsentService(session).give(
                ConsentIn.model_validate(
                    {
                        "id": cid,
                        "subject_id": BUYER,
                        "kind": kind,
                        "notice_version": "2026-10-01",
                        "recipients": sellers,
                        "items": ["name", "phone", "address", "postal_code"],
                        "purposes": ["shipping"],
                        "given_at": GIVEN,
                    }
                )
            )
        asks: list[tuple[DisclosureAsk, datetime]] = []
        for n in range(ORDERS):
            oid, seller, at = f"o-{n:04d}", sellers[n % SELLERS], START + timedelta(hours=n)
            delivered = at + timedelta(days=2) if n % 3 else None
            market.place_order(
                OrderIn(
                    id=oid, buyer_id=BUYER, seller_id=seller, ordered_at=at, delivered_at=delivered
                ),
                at,
            )
            asks += [
                (DisclosureAsk(oid, rid, Purpose.SHIPPING, SHIP), at)
                for rid in (seller, "p-kr-carrier")
            ]
        outcomes = rt.gateway.disclose_many(session, asks)
    return sum(1 for o in outcomes if o.decision.allowed)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def _timed(call: Any, times: int) -> dict[str, float]:
    call()  # warm: templates compiled, catalogues read, statements cached
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def run(quick: bool = False) -> dict[str, Any]:
    times = 100 if quick else 400
    base = Path(tempfile.mkdtemp(prefix="databorder-bench-center-"))
    try:
        settings = Settings(
            database_url=f"sqlite:///{base / 'center.db'}",
            key_dir=base / "keys",
            sweep_interval_seconds=0,
            head_interval_seconds=0,
            notice_batch_days=0,
        )
        init_keys(settings)
        rt = build(settings, clock=lambda: NOW)
        upgrade(rt.db)
        allowed = _world(rt)
        home_country = rt.engine.pack.home_country
        figures: dict[str, Any] = {"disclosures": allowed, "requests": times}
        with rt.sessions() as session:
            buyer = session.get(Buyer, BUYER)
            assert buyer is not None
            figures["view_home"] = _timed(lambda: views.home(session, buyer, home_country), times)
            figures["view_my_data"] = _timed(
                lambda: views.my_data(session, BUYER, home_country, NOW), times
            )
        app = create_app(rt)
        with TestClient(app, follow_redirects=False) as client:
            key = load_keys(settings.key_dir).login
            assert client.get(login_link(BUYER, "", key, NOW)).status_code == 303

            def page(path: str) -> None:
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)

            figures["page_home"] = _timed(lambda: page("/me"), times)
            figures["page_my_data"] = _timed(lambda: page("/me/recipients"), times)
            figures["page_my_data_bytes"] = len(client.get("/me/recipients").content)
        rt.db.dispose()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    for key in ("view_home", "view_my_data", "page_home", "page_my_data"):
        f = figures[key]
        print(
            f"privacy center: {key}: p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, "
            f"max {f['max_ms']:.1f} ms"
        )
    figures["markdown"] = _markdown(figures)
    return figures


def _markdown(r: dict[str, Any]) -> str:
    rows = [
        "## Privacy center: home and who has my data (`bench/bench_privacy_center.py`)",
        "",
        f"One buyer whose data went out {r['disclosures']} times (100 orders from 40 sellers in "
        "8 countries, each also to a Korean carrier; decided, granted and logged by the real "
        f"gateway), on SQLite. {r['requests']} requests each after one warm-up; `view` is the "
        "page's queries and values alone, `page` the whole signed-in page through the ASGI app "
        f"in-process. The My data page for this buyer is {r['page_my_data_bytes'] / 1024:,.0f} KiB "
        "of HTML.",
        "",
        "| | p50 | p95 | max | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for key, label, goal in (
        ("view_home", "home, view", ""),
        ("page_home", "home, page", "p95 < 50 ms"),
        ("view_my_data", "who has my data, view", ""),
        ("page_my_data", "who has my data, page", "p95 < 50 ms"),
    ):
        f = r[key]
        rows.append(
            f"| {label} | {f['p50_ms']:.1f} ms | {f['p95_ms']:.1f} ms | {f['max_ms']:.1f} ms | {goal} |"
        )
    rows.append("")
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("DATABORDER_OPENTELEMETRY", "false")
    out = run(quick="--quick" in sys.argv)
    print(out["markdown"])
