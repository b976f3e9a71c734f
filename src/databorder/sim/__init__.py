"""A synthetic marketplace for the demo, the tests and the benchmarks: deterministic from a seed.

`generate_world` builds a whole world in memory; `iter_recipients`, `iter_buyers` and
`iter_orders` produce any slice of one, so very large worlds can be streamed in batches.
`decision_requests` turns a world into policy-engine requests (contract v2) without a database;
`sim.load` writes a world through the real services and publishes its notice versions.
"""

from databorder.sim._base import DEFAULT_DAYS, NOTICE_EVERY_DAYS, notice_versions
from databorder.sim.buyers import iter_buyers
from databorder.sim.orders import iter_orders
from databorder.sim.recipients import iter_recipients
from databorder.sim.requests import (
    decision_requests,
    disclosure_requests,
    order_requests,
    subject_facts,
    suspension_facts,
)
from databorder.sim.scenarios import CUSTOMS_MANDATE, buyer_id, order_id, seller_id
from databorder.sim.types import (
    BuyerSpec,
    ConsentSpec,
    DisclosureSpec,
    DomesticAgent,
    NoticeSpec,
    OrderSpec,
    RecipientSpec,
    SuspensionSpec,
    World,
)
from databorder.sim.world import (
    MIN_SCENARIO_SIZE,
    generate_world,
    world_digest,
    world_suspension_orders,
)

__all__ = [
    "CUSTOMS_MANDATE",
    "DEFAULT_DAYS",
    "MIN_SCENARIO_SIZE",
    "NOTICE_EVERY_DAYS",
    "BuyerSpec",
    "ConsentSpec",
    "DisclosureSpec",
    "DomesticAgent",
    "NoticeSpec",
    "OrderSpec",
    "RecipientSpec",
    "SuspensionSpec",
    "World",
    "buyer_id",
    "decision_requests",
    "disclosure_requests",
    "generate_world",
    "iter_buyers",
    "iter_orders",
    "iter_recipients",
    "notice_versions",
    "order_id",
    "order_requests",
    "seller_id",
    "subject_facts",
    "suspension_facts",
    "world_digest",
    "world_suspension_orders",
]
