"""Orders over time, and the disclosures the marketplace asks for each.

An ordinary order asks to give the seller what shipping needs, the carriers theirs, the customs
brokers theirs when the goods cross the border (citing the Customs Act's mandate by the pack's
id a quarter of the time), the payment processor the card, and sometimes the seller or a
processor more for customer service or marketing. A few requests ask for more than the purpose
needs (an email or customs code for shipping, a birth date, a legacy resident registration
number, card data to a seller) or cite the customs mandate where it does not reach (a Chinese
broker, a seller): those are the mistakes the engine exists to catch, so the world makes them.
Orders go only to recipients registered by then.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from random import Random

from databorder.model import DataItem, Purpose
from databorder.sim import _tables as t
from databorder.sim._base import (
    DEFAULT_DAYS,
    NOTICE_EVERY_DAYS,
    STREAM_ORDER,
    Catalog,
    catalog,
    rng_for,
)
from databorder.sim.scenarios import (
    CARRY,
    CUSTOMS,
    CUSTOMS_MANDATE,
    EXPORT,
    HOME,
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
_EU = frozenset({"DE", "FR", "IT", "NL"})

# Overseas carriers by origin, as (carrier, cumulative share): a small share of Chinese parcels
# pass through the bonded warehouse registered mid-run, of Vietnamese ones through the carrier
# whose contract lacks safeguards.
_ORIGIN_CARRIERS: dict[str, tuple[tuple[str, float], ...]] = {
    "CN": (("p-009", 0.04), ("p-003", 1.0)),
    "HK": (("p-004", 1.0),),
    "TW": (("p-004", 1.0),),
    "JP": (("p-010", 0.4), ("p-005", 1.0)),
    "VN": (("p-011", 0.3), ("p-005", 1.0)),
}
_LAST_MILE = (("p-001", 0.55), ("p-002", 0.85), ("p-008", 0.9), ("p-012", 1.0))
# Marketing the marketplace entrusts: at home, in the EU, to a certified US agency, to a
# certified one in Singapore without the certification's measures.
_MARKETERS = (("p-017", 0.5), ("p-014", 0.7), ("p-015", 0.9), ("p-016", 1.0))
_STAND_IN = {"p-008": "p-002", "p-009": "p-003"}  # before they register


def _pick(rng: Random, options: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for option, share in options:
        if roll < share:
            return option
    return options[-1][0]


def _bulk_disclosures(
    rng: Random, seller: RecipientSpec, at: datetime, cat: Catalog
) -> tuple[DisclosureSpec, ...]:
    """What the marketplace asks to disclose for an ordinary order, mistakes included."""
    out: list[DisclosureSpec] = []

    def existing(recipient_id: str) -> str:
        return recipient_id if cat.exists(recipient_id, at) else _STAND_IN[recipient_id]

    cross = seller.country != HOME
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
        carrier = _pick(rng, _ORIGIN_CARRIERS.get(seller.country, _ANYWHERE))
        if carrier in _STAND_IN:
            carrier = existing(carrier)
        out.append(_D(carrier, _SHIPPING, CARRY, None, rng.randint(5, 20)))
        if seller.country == "CN" and rng.random() < 0.3:
            # The Customs Act binds Korean import declarations, not a Chinese export filing.
            mandate = CUSTOMS_MANDATE if rng.random() < 0.03 else None
            out.append(_D("cb-003", _CLEARANCE, EXPORT, mandate, rng.randint(10, 30)))
        elif seller.country == "US" and rng.random() < 0.3:
            out.append(_D("cb-004", _CLEARANCE, EXPORT, None, rng.randint(10, 30)))
        customs = (*CUSTOMS, DataItem.RRN) if rng.random() < 0.005 else CUSTOMS
        mandate = CUSTOMS_MANDATE if rng.random() < 0.25 else None
        out.append(
            _D(rng.choice(("cb-001", "cb-002")), _CLEARANCE, customs, mandate, rng.randint(20, 60))
        )
        if rng.random() < 0.003:  # a seller's customs filing citing the importer's mandate
            out.append(_D(seller.id, _CLEARANCE, CUSTOMS, CUSTOMS_MANDATE, rng.randint(10, 30)))
    last_mile = _pick(rng, _LAST_MILE)
    if last_mile in _STAND_IN:
        last_mile = existing(last_mile)
    out.append(_D(last_mile, _SHIPPING, CARRY, None, rng.randint(30, 90)))
    if seller.country in _EU and rng.random() < 0.5:
        payer = "pp-004"
    elif cross and rng.random() < 0.15:
        payer = "pp-003"
    else:
        payer = rng.choice(("pp-001", "pp-001", "pp-002"))
    pay = (*PAY, DataItem.BANK_ACCOUNT) if rng.random() < 0.05 else PAY
    out.append(_D(payer, _PAYMENT, pay, None, 1))
    if rng.random() < 0.003:
        out.append(_D(seller.id, _PAYMENT, PAY, None, 2))
    if rng.random() < 0.15:
        out.append(_D(seller.id, _SERVICE, SERVICE, None, rng.randint(60, 120)))
    service_desk = rng.random()
    if service_desk < 0.04:
        out.append(_D("p-007", _SERVICE, SERVICE, None, rng.randint(60, 120)))
    elif service_desk < 0.07:
        out.append(_D("p-013", _SERVICE, SERVICE, None, rng.randint(60, 120)))
    elif service_desk < 0.12:
        out.append(_D("p-012", _SERVICE, SERVICE, None, rng.randint(60, 120)))
    if rng.random() < 0.03:
        out.append(_D(seller.id, _MARKETING, MARKETING, None, rng.randint(60, 120)))
    if rng.random() < 0.04:
        out.append(_D(_pick(rng, _MARKETERS), _MARKETING, MARKETING, None, rng.randint(120, 180)))
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
    slots: dict[int, tuple[Script, datetime]],
) -> OrderSpec:
    rng = rng_for(cat.seed, STREAM_ORDER, index)
    # Each order owns one time slot of the run, so ordered_at strictly increases with the index
    # and any order's time is known without generating the ones before it.
    span_us = (cat.end - cat.start) // timedelta(microseconds=1)
    slot = max(1, span_us // orders)
    ordered_at = cat.start + timedelta(microseconds=index * slot + rng.randrange(slot))
    scripted = slots.get(index)
    if scripted is not None:
        script, ordered_at = scripted
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
        seller = cat.popular_seller(rng, ordered_at)
        disclosures = _bulk_disclosures(rng, seller, ordered_at, cat)
    transit = rng.uniform(1, 3) if seller.country == HOME else rng.uniform(5, 14)
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
    every_days: int = NOTICE_EVERY_DAYS,
    first: int = 0,
    stop: int | None = None,
) -> Iterator[OrderSpec]:
    """Orders `first`..`stop` (default: all `orders`) of a world with `buyers` buyers.

    Like `iter_buyers`, a slice is identical to the same orders of the whole world.
    """
    if buyers < 1:
        raise ValueError(f"orders need at least one buyer, got buyers={buyers}")
    cat = catalog(seed, recipients, buyers, start, days, every_days)
    yield from order_range(
        cat, orders, buyers, first, orders if stop is None else min(stop, orders)
    )


def order_range(
    cat: Catalog, orders: int, buyers: int, first: int, stop: int
) -> Iterator[OrderSpec]:
    """Orders `first`..`stop` of a world of `orders` orders and the `buyers` `cat` was built for.

    Like `buyer_range`: the catalogue is built once by a caller that generates many slices.
    """
    slots = script_slots(orders, cat.start, cat.end, cat.moments) if cat.scenarios else {}
    for index in range(first, stop):
        yield _order(index, orders, buyers, cat, slots)
