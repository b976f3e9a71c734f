"""A deterministic synthetic marketplace: buyers, recipients at home and abroad, consents, orders.

Why it is built this way:
- **Deterministic per item.** Every buyer, seller and order is drawn from its own PRNG seeded from
  `(seed, stream, index)`, so the same arguments give the same world and any slice of it can be
  generated alone (`iter_buyers(..., first=, stop=)`), in any order or in parallel. The bulk
  loader streams 8 million buyers and tens of millions of orders in batches this way.
- **Faker once, the PRNG after.** Faker is slow per call, so name parts are drawn from seeded
  Faker instances once per seed and combined with the PRNG; addresses and company names come from
  coherent hand-written tables (Faker's ko_KR addresses put 용인시 in 강원도).
- **The law's timeline.** Notice versions are published on a schedule (the first, the relaunch
  naming every recipient, then batches); recipients register over time, so a version names some
  sellers of a country and not others, and a country-wide consent reaches only those its version
  named. A regulator's suspension order holds for part of the run.
- **Every outcome on purpose.** The first buyers, sellers and a couple of dozen orders are the
  deliberate cases of `sim.scenarios`, so deciding the world's requests with the PIPA pack yields
  every reason code, basis and ground of contract v2 even in a small world; the bulk adds a
  realistic mix.
- **Pure.** No clock, no database: `start` is passed in and every instant derives from it.

This module holds the whole-world entry points; `databorder.sim` exports them with the values
and the streams.
"""

import hashlib
from datetime import datetime

from databorder.sim._base import DEFAULT_DAYS, NOTICE_EVERY_DAYS, schedule
from databorder.sim.buyers import iter_buyers
from databorder.sim.orders import iter_orders
from databorder.sim.recipients import iter_recipients
from databorder.sim.scenarios import SCENARIO_BUYERS, SCENARIO_SELLERS, SCRIPTS, suspension_orders
from databorder.sim.types import BuyerSpec, ConsentSpec, SuspensionSpec, World

# (buyers, sellers, orders) from which every deliberate case is in the world: the scenario
# buyers and sellers, and enough orders that each script keeps a slot near its moment.
MIN_SCENARIO_SIZE = (len(SCENARIO_BUYERS), len(SCENARIO_SELLERS), 4 * len(SCRIPTS))


def world_suspension_orders(
    sellers: int, start: datetime, days: int, every_days: int = NOTICE_EVERY_DAYS
) -> tuple[SuspensionSpec, ...]:
    """The regulator's orders of a world of `sellers` sellers (one, on a scenario seller)."""
    return suspension_orders(sellers, schedule(start, days, every_days).moments)


def generate_world(
    seed: int,
    buyers: int,
    sellers: int,
    orders: int,
    start: datetime,
    *,
    days: int = DEFAULT_DAYS,
    every_days: int = NOTICE_EVERY_DAYS,
) -> World:
    """Generate a whole marketplace in memory; the same arguments always give the same world.

    Orders are spread over `days` days from `start` (which must carry a UTC offset); notice
    batches are published every `every_days` days. From `MIN_SCENARIO_SIZE` up, deciding the
    world's requests yields every reason code, every basis and every ground of contract v2.
    """
    if buyers < 1 or sellers < 1 or orders < 0:
        raise ValueError(
            f"a world needs buyers >= 1, sellers >= 1 and orders >= 0, "
            f"got buyers={buyers}, sellers={sellers}, orders={orders}"
        )
    plan = schedule(start, days, every_days)
    recipients = tuple(iter_recipients(seed, sellers, start, days=days, every_days=every_days))
    buyer_specs: list[BuyerSpec] = []
    consents: list[ConsentSpec] = []
    for buyer, given in iter_buyers(
        seed, buyers, start, recipients, days=days, every_days=every_days
    ):
        buyer_specs.append(buyer)
        consents.extend(given)
    return World(
        seed=seed,
        start=start,
        end=plan.end,
        notices=plan.notices,
        recipients=recipients,
        buyers=tuple(buyer_specs),
        consents=tuple(consents),
        orders=tuple(
            iter_orders(seed, orders, start, recipients, buyers, days=days, every_days=every_days)
        ),
        suspension_orders=suspension_orders(sellers, plan.moments),
    )


def world_digest(world: World) -> str:
    """SHA-256 over the repr of every field of every value: equal digests mean equal worlds."""
    digest = hashlib.sha256(repr((world.seed, world.start, world.end)).encode())
    for part in (
        world.notices,
        world.recipients,
        world.buyers,
        world.consents,
        world.orders,
        world.suspension_orders,
    ):
        for value in part:
            digest.update(repr(value).encode())
    return digest.hexdigest()
