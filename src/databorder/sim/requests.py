"""The synthetic world as policy-engine requests (contract v2), built without a database.

The decision benchmark and the tests that prove every outcome occurs need thousands of realistic
requests; building them from the world's values keeps both pure and fast. They carry exactly the
facts the gateway reads from the database (tests/sim/test_load.py checks the two agree): the
notice version in force at `at`, the versions naming each recipient (those published at or
after it registered), the regulator's suspension orders, the mandate by the pack's id. Each
buyer's `SubjectFacts` and each recipient's `RecipientFacts` is built once and shared by every
request that names it (they are frozen), so a request costs one small allocation. The facts are
built by the same builders the gateway uses on its rows (`consent.facts`, `registry.facts`).
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from databorder.consent.facts import consent_facts
from databorder.policy.types import DecisionRequest, RecipientFacts, SubjectFacts, SuspensionOrder
from databorder.registry.facts import recipient_facts
from databorder.sim._base import naming
from databorder.sim.types import (
    BuyerSpec,
    ConsentSpec,
    DisclosureSpec,
    NoticeSpec,
    OrderSpec,
    SuspensionSpec,
    World,
)


def subject_facts(buyer: BuyerSpec, consents: Iterable[ConsentSpec]) -> SubjectFacts:
    """The buyer as the engine sees them: residence, suspension and every consent ever given.

    Withdrawn and not-yet-given consents are included on purpose: the engine judges them against
    the request's `at`, and explains a refusal with CONSENT_WITHDRAWN only if it can see them.
    """
    return SubjectFacts(
        id=buyer.id,
        residence=buyer.residence,
        transfer_suspended=buyer.transfer_suspended,
        consents=tuple(map(consent_facts, consents)),
    )


def suspension_facts(spec: SuspensionSpec) -> SuspensionOrder:
    return SuspensionOrder(spec.id, spec.recipient_id, spec.country, spec.starts_at, spec.ends_at)


class _InForce:
    """The notice version in force at an instant: the latest published at or before it."""

    def __init__(self, notices: Sequence[NoticeSpec]) -> None:
        ordered = sorted(notices, key=lambda n: (n.published_at, n.version))
        self.times = [n.published_at for n in ordered]
        self.versions = [n.version for n in ordered]

    def __call__(self, at: datetime) -> str | None:
        i = bisect_right(self.times, at)
        return self.versions[i - 1] if i else None


def order_requests(
    order: OrderSpec,
    subject: SubjectFacts,
    recipients: Mapping[str, RecipientFacts],
    *,
    at: datetime | None = None,
    notices: Sequence[NoticeSpec] = (),
    suspension_orders: tuple[SuspensionOrder, ...] = (),
) -> Iterator[tuple[DisclosureSpec, DecisionRequest]]:
    """Each disclosure of one order with its request, decided at `at` or when it is asked for."""
    return _requests(order, subject, recipients, at, _InForce(notices), suspension_orders)


def _requests(
    order: OrderSpec,
    subject: SubjectFacts,
    recipients: Mapping[str, RecipientFacts],
    at: datetime | None,
    in_force: _InForce,
    suspension_orders: tuple[SuspensionOrder, ...],
) -> Iterator[tuple[DisclosureSpec, DecisionRequest]]:
    if subject.id != order.buyer_id:
        raise ValueError(f"order {order.id} is for {order.buyer_id}, got subject {subject.id}")
    for disclosure in order.disclosures:
        try:
            recipient = recipients[disclosure.recipient_id]
        except KeyError:
            raise ValueError(
                f"order {order.id} discloses to unknown recipient {disclosure.recipient_id!r}"
            ) from None
        when = at or order.ordered_at + timedelta(minutes=disclosure.minutes_after_order)
        yield (
            disclosure,
            DecisionRequest(
                at=when,
                subject=subject,
                recipient=recipient,
                purpose=disclosure.purpose,
                items=disclosure.items,
                notice_in_force=in_force(when),
                suspension_orders=suspension_orders,
                legal_mandate=disclosure.legal_mandate,
            ),
        )


def disclosure_requests(
    world: World, at_order_time: bool = True
) -> Iterator[tuple[OrderSpec, DisclosureSpec, DecisionRequest]]:
    """Every disclosure of every order, in order, with the request that decides it.

    With `at_order_time` each request is decided when it is asked for (a few minutes after the
    order); without it every request is decided at the world's end, as an audit re-running today's
    rules over past orders would, so consents withdrawn since then refuse.
    """
    recipients = {
        r.id: recipient_facts(r, naming(world.notices, r.created_at)) for r in world.recipients
    }
    consents: defaultdict[str, list[ConsentSpec]] = defaultdict(list)
    for consent in world.consents:
        consents[consent.buyer_id].append(consent)
    subjects = {b.id: subject_facts(b, consents.get(b.id, ())) for b in world.buyers}
    orders = tuple(suspension_facts(s) for s in world.suspension_orders)
    in_force = _InForce(world.notices)
    at = None if at_order_time else world.end
    for order in world.orders:
        try:
            subject = subjects[order.buyer_id]
        except KeyError:
            raise ValueError(f"order {order.id} is for unknown buyer {order.buyer_id!r}") from None
        for disclosure, request in _requests(order, subject, recipients, at, in_force, orders):
            yield order, disclosure, request


def decision_requests(world: World, at_order_time: bool = True) -> Iterator[DecisionRequest]:
    """The requests alone, for the benchmark and the engine-coverage tests."""
    for _, _, request in disclosure_requests(world, at_order_time):
        yield request
