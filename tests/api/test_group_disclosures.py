"""POST /v1/disclosures under concurrency: shared transactions, one answer and one leaf each."""

import asyncio
from typing import Any

import httpx2
from sqlalchemy import func, select

from databorder.api.app import create_app
from databorder.auth.services import ServiceKeys
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.ledger.models import LogLeaf
from databorder.runtime import Runtime
from factories import add_order


def _ask(order: str, recipient: str = "s-cn-1") -> dict[str, Any]:
    return {
        "order_id": order,
        "recipient_id": recipient,
        "purpose": "shipping",
        "items": ["name", "phone", "address"],
    }


def _key(runtime: Runtime) -> str:
    with runtime.sessions.begin() as s:
        return ServiceKeys(s).issue("checkout", ["platform"], runtime.now())


async def _post_all(app: Any, key: str, bodies: list[dict[str, Any]]) -> list[httpx2.Response]:
    transport = httpx2.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx2.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        return list(await asyncio.gather(*(c.post("/v1/disclosures", json=b) for b in bodies)))


def test_concurrent_disclosures_share_transactions_and_each_gets_its_leaf(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        for n in range(2, 41):
            add_order(s, world, f"o-{n}")
    bodies = [_ask(f"o-{n}") for n in range(1, 41)]
    bodies[7] = _ask("o-404")  # unknown order
    bodies[20] = _ask("o-21", recipient="s-cn-2")  # a seller who did not sell it
    app = create_app(world)
    answers = asyncio.run(_post_all(app, _key(world), bodies))

    assert answers[7].status_code == 404
    assert answers[7].json()["detail"] == "order 'o-404' not found"
    assert answers[20].status_code == 422
    assert answers[20].json()["errors"][0]["field"] == "recipient_id"
    good = [a.json() for i, a in enumerate(answers) if i not in (7, 20)]
    assert all(a.status_code == 201 for i, a in enumerate(answers) if i not in (7, 20))
    assert sorted(g["log"]["leaf_index"] for g in good) == list(range(38))
    assert len({g["grant"]["token"] for g in good}) == 38
    committer = app.state.disclosures
    assert committer.items == 40
    assert committer.batches < 40  # requests that arrived together shared a transaction
    registry = app.state.metrics.registry

    def sample(name: str) -> float | None:
        return registry.get_sample_value(f"databorder_group_commit_{name}", {"work": "disclosures"})

    assert sample("size_sum") == 40
    assert sample("size_count") == committer.batches
    assert (sample("seconds_sum") or 0) > 0
    with world.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Disclosure)) == 38
        assert s.scalar(select(func.count()).select_from(AccessGrant)) == 38
        assert s.scalar(select(func.count()).select_from(LogLeaf)) == 38
        by_order = dict(s.execute(select(Disclosure.order_id, Disclosure.leaf_index)).all())
    # Each answer names the leaf that holds its own disclosure, not a neighbour's.
    for body, answer in zip(bodies, answers, strict=True):
        if answer.status_code == 201:
            assert by_order[body["order_id"]] == answer.json()["log"]["leaf_index"]


def test_a_revoked_key_is_refused_inside_the_transaction(world: Runtime) -> None:
    key = _key(world)
    app = create_app(world)
    first = asyncio.run(_post_all(app, key, [_ask("o-1")]))[0]
    assert first.status_code == 201  # the front door now admits this key from its cache
    with world.sessions.begin() as s:
        assert ServiceKeys(s).revoke(key[:12], world.now()) == "checkout"
    again = asyncio.run(_post_all(app, key, [_ask("o-1")]))[0]
    assert again.status_code == 401
    assert again.json()["detail"] == "unknown or revoked service key"
    with world.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Disclosure)) == 1
