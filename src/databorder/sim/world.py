"""A deterministic synthetic marketplace: buyers, recipients at home and abroad, consents, orders.

Why it is built this way:
- **Deterministic per item.** Every buyer, seller and order is drawn from its own PRNG seeded from
  `(seed, stream, index)`, so the same arguments give the same world and any slice of it can be
  generated alone (`iter_buyers(..., first=, stop=)`), in any order or in parallel. A later issue
  streams 8 million buyers and tens of millions of orders in batches this way.
- **Faker once, the PRNG after.** Faker is slow per call, so name parts are drawn from seeded
  Faker instances once per seed and combined with the PRNG; addresses and company names come from
  coherent hand-written tables (Faker's ko_KR addresses put 용인시 in 강원도).
- **Every outcome on purpose.** The first buyers, sellers and a dozen orders are the deliberate
  cases of `sim.scenarios`, so deciding the world's requests with the PIPA pack yields every
  refusal code and every reachable ground even in a small world; the bulk adds a realistic mix.
- **Pure.** No clock, no database: `start` is passed in and every instant derives from it.

This module holds the whole-world entry points and re-exports the values and the streams.
"""

import hashlib
from datetime import datetime, timedelta

from databorder.sim._base import DEFAULT_DAYS, notice_versions
from databorder.sim.buyers import iter_buyers
from databorder.sim.orders import iter_orders
from databorder.sim.recipients import iter_recipients
from databorder.sim.scenarios import (
    CUSTOMS_MANDATE,
    ISMS_P,
    SCENARIO_BUYERS,
    SCENARIO_SELLERS,
    SCRIPTS,
    buyer_id,
    order_id,
    seller_id,
)
from databorder.sim.types import (
    BuyerSpec,
    ConsentSpec,
    DisclosureSpec,
    DomesticAgent,
    NoticeSpec,
    OrderSpec,
    RecipientSpec,
    World,
)

__all__ = [
    "CUSTOMS_MANDATE",
    "DEFAULT_DAYS",
    "ISMS_P",
    "MIN_SCENARIO_SIZE",
    "BuyerSpec",
    "ConsentSpec",
    "DisclosureSpec",
    "DomesticAgent",
    "NoticeSpec",
    "OrderSpec",
    "RecipientSpec",
    "World",
    "buyer_id",
    "generate_world",
    "iter_buyers",
    "iter_orders",
    "iter_recipients",
    "notice_versions",
    "order_id",
    "seller_id",
    "world_digest",
]

# (buyers, sellers, orders) from which every deliberate scenario is in the world.
MIN_SCENARIO_SIZE = (len(SCENARIO_BUYERS), len(SCENARIO_SELLERS), len(SCRIPTS))


def generate_world(
    seed: int,
    buyers: int,
    sellers: int,
    orders: int,
    start: datetime,
    *,
    days: int = DEFAULT_DAYS,
) -> World:
    """Generate a whole marketplace in memory; the same arguments always give the same world.

    Orders are spread over `days` days from `start` (which must carry a UTC offset). From
    `MIN_SCENARIO_SIZE` up, deciding the world's requests yields every refusal code and the
    grounds consent, legal_mandate, entrusted_contract and certification.
    """
    if buyers < 1 or sellers < 1 or orders < 0:
        raise ValueError(
            f"a world needs buyers >= 1, sellers >= 1 and orders >= 0, "
            f"got buyers={buyers}, sellers={sellers}, orders={orders}"
        )
    recipients = tuple(iter_recipients(seed, sellers, start))
    buyer_specs: list[BuyerSpec] = []
    consents: list[ConsentSpec] = []
    for buyer, given in iter_buyers(seed, buyers, start, recipients, days=days):
        buyer_specs.append(buyer)
        consents.extend(given)
    return World(
        seed=seed,
        start=start,
        end=start + timedelta(days=days),
        notices=notice_versions(start, days),
        recipients=recipients,
        buyers=tuple(buyer_specs),
        consents=tuple(consents),
        orders=tuple(iter_orders(seed, orders, start, recipients, buyers, days=days)),
    )


def world_digest(world: World) -> str:
    """SHA-256 over the repr of every field of every value: equal digests mean equal worlds."""
    digest = hashlib.sha256(repr((world.seed, world.start, world.end)).encode())
    for part in (world.notices, world.recipients, world.buyers, world.consents, world.orders):
        for value in part:
            digest.update(repr(value).encode())
    return digest.hexdigest()
