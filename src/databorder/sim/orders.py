"""Orders over time, and the disclosures the marketplace asks for each.

An ordinary order asks to give the seller what shipping needs, the carriers theirs, the customs
brokers theirs when the goods cross the border, the payment processor the card, and sometimes the
seller more for customer service or marketing. A few requests ask for more than the purpose needs
(an email or customs code for shipping, a birth date, a legacy resident registration number, card
data to a seller): those are the mistakes the engine exists to catch, so the world makes them.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from random import Random

from databorder.model import DataItem, Purpose
from databorder.sim import _tables as t
from databorder.sim._base import DEFAULT_DAYS, STREAM_ORDER, Catalog, catalog, rng_for
from databorder.sim.scenarios import (
    CARRY,
    CUSTOMS,
    CUSTOMS_MANDATE,
    EXPORT,
    MARKETING,
    PAY,
    SCENARIO_BUYERS,
    SELLER,
    SERVICE,
    SHIP,
    Script,
    buyer_id,
    order_id,
    script_slots,
)
from databorder.sim.types import DisclosureSpec, OrderSpec, RecipientSpec

_D = DisclosureSpec
_SHIPPING, _CLEARANCE = Purpose.SHIPPING, Purpose.CUSTOMS_CLEARANCE
_SERVICE, _PAYMENT, _MARKETING = Purpose.CUSTOMER_SERVICE, Purpose.PAYMENT, Purpose.MARKETING
_ANYWHERE = (("p-005", 1.0),)  # the global forwarder, for origins without a dedicated carrier

# Overseas carriers by origin, as (carrier, cumulative share): a small share of Chinese parcels
# pass through the undisclosed warehouse, of Japanese ones through the certified undisclosed
# carrier, of Vietnamese ones through the carrier whose contract lacks safeguards.
_ORIGIN_CARRIERS: dict[str, tuple[tuple[str, float], ...]] = {
    "CN": (("p-009", 0.04), ("p-003", 1.0)),
    "HK": (("p-004", 1.0),),
    "TW": (("p-004", 1.0),),
    "JP": (("p-010", 0.2), ("p-005", 1.0)),
    "VN": (("p-011", 0.3), ("p-005", 1.0)),
}


def _pick(rng: Random, options: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for option, share in options:
        if roll < share:
            return option
    return options[-1][0]


def _bulk_disclosures(rng: Random, seller: RecipientSpec) -> tuple[DisclosureSpec, ...]:
    """What the marketplace asks to disclose for an ordinary order, mistakes included.

    Most requests are right; a few ask for more than the purpose needs (email or the customs code
    for shipping, a birth date, a legacy resident registration number, card data to a seller),
    because that is what the engine exists to catch.
    """
    out: list[DisclosureSpec] = []
    cross = seller.country != "KR"
    ship: tuple[DataItem, ...] = SHIP
    roll = rng.random()
    if roll < 0.08:
        ship = (*SHIP, DataItem.EMAIL)
    elif roll < 0.12 and cross:
        ship = (*SHIP, DataItem.CUSTOMS_CODE)
    elif roll < 0.125:
        ship = (*SHIP, DataItem.RRN)
    elif roll < 0.128:
        ship = (*SHIP, DataItem.BIRTH_DATE)
    out.append(_D(seller.id, _SHIPPING, ship, None, rng.randint(1, 5)))
    if cross:
        out.append(
            _D(
                _pick(rng, _ORIGIN_CARRIERS.get(seller.country, _ANYWHERE)),
                _SHIPPING,
                CARRY,
                None,
                rng.randint(5, 20),
            )
        )
        if seller.country == "CN" and rng.random() < 0.3:
            out.append(_D("cb-003", _CLEARANCE, EXPORT, None, rng.randint(10, 30)))
        elif seller.country == "US" and rng.random() < 0.3:
            out.append(_D("cb-004", _CLEARANCE, EXPORT, None, rng.randint(10, 30)))
        customs = (*CUSTOMS, DataItem.RRN) if rng.random() < 0.005 else CUSTOMS
        mandate = CUSTOMS_MANDATE if rng.random() < 0.25 else None
        out.append(
            _D(rng.choice(("cb-001", "cb-002")), _CLEARANCE, customs, mandate, rng.randint(20, 60))
        )
    last_mile = _pick(rng, (("p-001", 0.6), ("p-002", 0.95), ("p-008", 1.0)))
    out.append(_D(last_mile, _SHIPPING, CARRY, None, rng.randint(30, 90)))
    payer = (
        "pp-003" if cross and rng.random() < 0.15 else rng.choice(("pp-001", "pp-001", "pp-002"))
    )
    pay = (*PAY, DataItem.BANK_ACCOUNT) if rng.random() < 0.05 else PAY
    out.append(_D(payer, _PAYMENT, pay, None, 1))
    if rng.random() < 0.003:
        out.append(_D(seller.id, _PAYMENT, PAY, None, 2))
    if rng.random() < 0.15:
        out.append(_D(seller.id, _SERVICE, SERVICE, None, rng.randint(60, 120)))
    if rng.random() < 0.04:
        out.append(_D("p-007", _SERVICE, SERVICE, None, rng.randint(60, 120)))
    if rng.random() < 0.03:
        out.append(_D(seller.id, _MARKETING, MARKETING, None, rng.randint(60, 120)))
    return tuple(out)


def _order_items(rng: Random) -> str:
    parts = []
    for product in rng.sample(t.PRODUCTS, rng.choice((1, 1, 1, 2, 2, 3))):
        quantity = rng.choice((1, 1, 1, 2, 3))
        parts.append(product if quantity == 1 else f"{product} x{quantity}")
    return ", ".join(parts)


def _order(
    index: int,
    orders: int,
    buyers: int,
    cat: Catalog,
    slots: dict[int, Script],
) -> OrderSpec:
    rng = rng_for(cat.seed, STREAM_ORDER, index)
    # Each order owns one time slot of the run, so ordered_at strictly increases with the index
    # and any order's time is known without generating the ones before it.
    span_us = (cat.end - cat.start) // timedelta(microseconds=1)
    slot = max(1, span_us // orders)
    ordered_at = cat.start + timedelta(microseconds=index * slot + rng.randrange(slot))
    script = slots.get(index)
    if script is not None:
        buyer = buyer_id(script.buyer)
        seller = cat.sellers[script.seller]
        disclosures = tuple(
            _D(
                seller.id if d.recipient_id == SELLER else d.recipient_id,
                d.purpose,
                d.items,
                d.legal_mandate,
                d.minutes_after_order,
            )
            for d in script.disclosures
        )
    else:
        # Heavy buyers exist: the skew makes a minority of accounts place most orders.
        skip = len(SCENARIO_BUYERS) if cat.scenarios and buyers > len(SCENARIO_BUYERS) else 0
        buyer = buyer_id(skip + int((buyers - skip) * rng.random() ** 1.6))
        seller = cat.popular_seller(rng)
        disclosures = _bulk_disclosures(rng, seller)
    transit = rng.uniform(1, 3) if seller.country == "KR" else rng.uniform(5, 14)
    delivered: datetime | None = ordered_at + timedelta(days=transit)
    if delivered is not None and delivered > cat.end:
        delivered = None
    return OrderSpec(
        id=order_id(index),
        buyer_id=buyer,
        seller_id=seller.id,
        ordered_at=ordered_at,
        delivered_at=delivered,
        order_items=_order_items(rng),
        disclosures=disclosures,
    )


def iter_orders(
    seed: int,
    orders: int,
    start: datetime,
    recipients: Sequence[RecipientSpec],
    buyers: int,
    *,
    days: int = DEFAULT_DAYS,
    first: int = 0,
    stop: int | None = None,
) -> Iterator[OrderSpec]:
    """Orders `first`..`stop` (default: all `orders`) of a world with `buyers` buyers.

    Like `iter_buyers`, a slice is identical to the same orders of the whole world.
    """
    if buyers < 1:
        raise ValueError(f"orders need at least one buyer, got buyers={buyers}")
    cat = catalog(seed, recipients, buyers, start, days)
    yield from order_range(
        cat, orders, buyers, first, orders if stop is None else min(stop, orders)
    )


def order_range(
    cat: Catalog, orders: int, buyers: int, first: int, stop: int
) -> Iterator[OrderSpec]:
    """Orders `first`..`stop` of a world of `orders` orders and the `buyers` `cat` was built for.

    Like `buyer_range`: the catalogue is built once by a caller that generates many slices.
    """
    slots = script_slots(orders) if cat.scenarios else {}
    for index in range(first, stop):
        yield _order(index, orders, buyers, cat, slots)
