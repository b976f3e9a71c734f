"""A synthetic marketplace for the demo, the tests and the benchmarks: deterministic from a seed.

`generate_world` builds a whole world in memory; `iter_recipients`, `iter_buyers` and
`iter_orders` produce any slice of one, so very large worlds can be streamed in batches.
`decision_requests` turns a world into policy-engine requests (contract v2) without a database;
`sim.load` writes a world through the real services and publishes its notice versions.
"""

from databorder.sim.requests import (
    consent_facts,
    decision_requests,
    disclosure_requests,
    order_requests,
    recipient_facts,
    subject_facts,
    suspension_facts,
)
from databorder.sim.world import (
    CUSTOMS_MANDATE,
    DEFAULT_DAYS,
    MIN_SCENARIO_SIZE,
    NOTICE_EVERY_DAYS,
    BuyerSpec,
    ConsentSpec,
    DisclosureSpec,
    DomesticAgent,
    NoticeSpec,
    OrderSpec,
    RecipientSpec,
    SuspensionSpec,
    World,
    buyer_id,
    generate_world,
    iter_buyers,
    iter_orders,
    iter_recipients,
    notice_versions,
    order_id,
    seller_id,
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
    "consent_facts",
    "decision_requests",
    "disclosure_requests",
    "generate_world",
    "iter_buyers",
    "iter_orders",
    "iter_recipients",
    "notice_versions",
    "order_id",
    "order_requests",
    "recipient_facts",
    "seller_id",
    "subject_facts",
    "suspension_facts",
    "world_digest",
    "world_suspension_orders",
]
