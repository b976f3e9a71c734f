"""Seller reads under concurrency: shared transactions, each read answered and logged once."""

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx2
from sqlalchemy import func, select

from databorder.api.app import create_app
from databorder.gateway.models import SellerRead
from databorder.gateway.types import DisclosureAsk
from databorder.ledger.models import LogLeaf
from databorder.model import DataItem, Purpose
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from factories import T0, add_order


def _grants(world: Runtime, orders: int) -> tuple[str, list[str]]:
    """A recipient key for s-cn-1 and grant tokens for orders o-1..o-N."""
    at = T0 + timedelta(minutes=5)
    with world.sessions.begin() as s:
        for n in range(2, orders + 1):
            add_order(s, world, f"o-{n}")
        asks = [
            (DisclosureAsk(f"o-{n}", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,)), at)
            for n in range(1, orders + 1)
        ]
        outcomes = world.gateway.disclose_many(s, asks)
        key = RegistryService(s).issue_api_key("s-cn-1", at)
    return key, [o.grant_token or "" for o in outcomes]


async def _get_all(app: Any, requests: list[tuple[str, str, str]]) -> list[httpx2.Response]:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://t"
    ) as client:
        return list(
            await asyncio.gather(
                *(
                    client.get(
                        f"/v1/seller/orders/{order}/data",
                        headers={"Authorization": f"Bearer {key}", "X-Grant-Token": token},
                    )
                    for order, key, token in requests
                )
            )
        )


def test_concurrent_reads_share_transactions_and_each_is_logged(world: Runtime) -> None:
    key, tokens = _grants(world, 20)
    requests = [(f"o-{n + 1}", key, token) for n, token in enumerate(tokens)]
    requests[4] = ("o-5", key, "dbg_forged")  # a forged token reads like a missing order
    requests[9] = ("o-10", "not-a-key", tokens[9])  # an unknown recipient key
    with world.sessions() as s:
        leaves_before = s.scalar(select(func.count()).select_from(LogLeaf)) or 0
    app = create_app(replace(world, clock=lambda: T0 + timedelta(minutes=10)))
    answers = asyncio.run(_get_all(app, requests))

    assert answers[4].status_code == 404
    assert answers[9].status_code == 401
    good = [a for n, a in enumerate(answers) if n not in (4, 9)]
    assert all(a.status_code == 200 for a in good), [a.text for a in good]
    assert [a.json()["order_id"] for a in good] == [
        r[0] for n, r in enumerate(requests) if n not in (4, 9)
    ]
    assert all(a.json()["items"]["name"]["value"] == "김민수" for a in good)
    assert app.state.seller_reads.batches < 20
    with world.sessions() as s:
        reads = s.scalars(select(SellerRead)).all()
        leaves = s.scalar(select(func.count()).select_from(LogLeaf)) or 0
    assert len(reads) == 18
    assert leaves - leaves_before == 18
    assert sorted(r.leaf_index for r in reads) == list(range(leaves_before, leaves))
