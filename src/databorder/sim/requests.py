"""The synthetic world as policy-engine requests, built without a database.

The decision benchmark and the tests that prove every refusal code occurs need thousands of
realistic requests; building them from the world's values keeps both pure and fast. Each buyer's
`SubjectFacts` and each recipient's `RecipientFacts` is built once and shared by every request that
names it (they are frozen), so a request costs one small allocation, not a conversion of its parts.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta

from databorder.policy.types import (
    ConsentFacts,
    Contact,
    DecisionRequest,
    LegalMandate,
    RecipientFacts,
    SubjectFacts,
)
from databorder.sim.world import (
    BuyerSpec,
    ConsentSpec,
    DisclosureSpec,
    OrderSpec,
    RecipientSpec,
    World,
)


def recipient_facts(spec: RecipientSpec) -> RecipientFacts:
    return RecipientFacts(
        id=spec.id,
        name=spec.legal_name,
        country=spec.country,
        role=spec.role,
        contact=Contact(email=spec.privacy_email, phone=spec.privacy_phone),
        certifications=frozenset(spec.certifications),
        contract_safeguards=spec.contract_safeguards,
        disclosed_in_notice=spec.disclosed_in_notice,
        retention_days=spec.retention_days,
    )


def consent_facts(spec: ConsentSpec) -> ConsentFacts:
    return ConsentFacts(
        id=spec.id,
        kind=spec.kind,
        notice_version=spec.notice_version,
        recipients=frozenset(spec.recipients),
        countries=frozenset(spec.countries),
        items=frozenset(spec.items),
        purposes=frozenset(spec.purposes),
        given_at=spec.given_at,
        withdrawn_at=spec.withdrawn_at,
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
        consents=tuple(consent_facts(c) for c in consents),
    )


def order_requests(
    order: OrderSpec,
    subject: SubjectFacts,
    recipients: Mapping[str, RecipientFacts],
    *,
    at: datetime | None = None,
    mandates: dict[str, LegalMandate] | None = None,
) -> Iterator[tuple[DisclosureSpec, DecisionRequest]]:
    """Each disclosure of one order with its request, decided at `at` or when it is asked for.

    `mandates` caches `LegalMandate` values by citation across orders; pass one dict for a run.
    """
    if subject.id != order.buyer_id:
        raise ValueError(f"order {order.id} is for {order.buyer_id}, got subject {subject.id}")
    if mandates is None:
        mandates = {}
    for disclosure in order.disclosures:
        try:
            recipient = recipients[disclosure.recipient_id]
        except KeyError:
            raise ValueError(
                f"order {order.id} discloses to unknown recipient {disclosure.recipient_id!r}"
            ) from None
        mandate = None
        if disclosure.legal_mandate is not None:
            mandate = mandates.get(disclosure.legal_mandate)
            if mandate is None:
                mandate = mandates[disclosure.legal_mandate] = LegalMandate(
                    disclosure.legal_mandate
                )
        when = at or order.ordered_at + timedelta(minutes=disclosure.minutes_after_order)
        yield (
            disclosure,
            DecisionRequest(
                at=when,
                subject=subject,
                recipient=recipient,
                purpose=disclosure.purpose,
                items=disclosure.items,
                legal_mandate=mandate,
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
    recipients = {r.id: recipient_facts(r) for r in world.recipients}
    consents: defaultdict[str, list[ConsentSpec]] = defaultdict(list)
    for consent in world.consents:
        consents[consent.buyer_id].append(consent)
    subjects = {b.id: subject_facts(b, consents.get(b.id, ())) for b in world.buyers}
    mandates: dict[str, LegalMandate] = {}
    at = None if at_order_time else world.end
    for order in world.orders:
        try:
            subject = subjects[order.buyer_id]
        except KeyError:
            raise ValueError(f"order {order.id} is for unknown buyer {order.buyer_id!r}") from None
        for disclosure, request in order_requests(
            order, subject, recipients, at=at, mandates=mandates
        ):
            yield order, disclosure, request


def decision_requests(world: World, at_order_time: bool = True) -> Iterator[DecisionRequest]:
    """The requests alone, for the benchmark and the engine-coverage tests."""
    for _, _, request in disclosure_requests(world, at_order_time):
        yield request
