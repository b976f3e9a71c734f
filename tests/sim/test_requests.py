"""The world's requests, decided by the real engine, produce every v2 reason code, basis and
ground, and the deliberate cases the outcome the law gives them."""

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from databorder.model import Basis, ConsentKind, Ground, ReasonCode, RecipientRole
from databorder.policy import Decision, Engine, load_pack
from databorder.registry.facts import recipient_facts
from databorder.sim import (
    CUSTOMS_MANDATE,
    MIN_SCENARIO_SIZE,
    World,
    decision_requests,
    disclosure_requests,
    generate_world,
    order_requests,
    subject_facts,
)
from databorder.sim._base import naming

KST = timezone(timedelta(hours=9))
START = datetime(2026, 5, 1, tzinfo=KST)
EXPECTED_CODES = set(ReasonCode)  # every code of contract v2, the informational one included
EXPECTED_GROUNDS = set(Ground)
# (basis, ground, article) of contract v2, rule 6; the mandate's article names its citation.
# A mandate abroad (28-8(1)2) cannot occur: the pack's only mandate covers Korea alone.
EXPECTED_BASES = {
    (Basis.PROVISION, Ground.CONSENT, "PIPA 17(1)1"),
    (Basis.ENTRUSTMENT, Ground.ENTRUSTED_CONTRACT, "PIPA 26"),
    (Basis.ENTRUSTMENT, Ground.CONSENT, "PIPA 15(1)1"),
    (Basis.MARKETING, Ground.CONSENT, "PIPA 22(1)7"),
    (Basis.TRANSFER, Ground.CONSENT, "PIPA 28-8(1)1"),
    (Basis.TRANSFER, Ground.ENTRUSTED_CONTRACT, "PIPA 28-8(1)3"),
    (Basis.TRANSFER, Ground.CERTIFICATION, "PIPA 28-8(1)4"),
    (Basis.TRANSFER, Ground.ADEQUACY, "PIPA 28-8(1)5"),
    (Basis.MANDATE, Ground.LEGAL_MANDATE, "PIPA 17(1)2 (Customs Act Art. 241)"),
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_pack())


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(11, buyers=200, sellers=40, orders=500, start=START)


def _check_outcomes(decisions: list[Decision]) -> None:
    codes = {reason.code for d in decisions for reason in d.reasons}
    grounds = {d.ground for d in decisions if d.ground is not None}
    bases = {(b.basis, b.ground, b.article) for d in decisions for b in d.bases}
    assert codes >= EXPECTED_CODES, EXPECTED_CODES - codes
    assert grounds >= EXPECTED_GROUNDS, EXPECTED_GROUNDS - grounds
    assert bases >= EXPECTED_BASES, EXPECTED_BASES - bases


@pytest.mark.parametrize("seed", [1, 11, 2026])
def test_a_small_world_produces_every_code_basis_and_ground(engine: Engine, seed: int) -> None:
    world = generate_world(seed, buyers=200, sellers=40, orders=500, start=START)
    _check_outcomes(engine.decide_many(decision_requests(world)))


@pytest.mark.parametrize(("days", "seed"), [(180, 5), (60, 6), (90, 7), (365, 8)])
def test_the_smallest_scenario_world_already_produces_them(
    engine: Engine, days: int, seed: int
) -> None:
    buyers, sellers, orders = MIN_SCENARIO_SIZE
    world = generate_world(seed, buyers, sellers, orders, START, days=days)
    _check_outcomes(engine.decide_many(decision_requests(world)))


@pytest.mark.parametrize("every_days", [28, 91])
def test_the_demo_world_produces_them_at_either_notice_cadence(
    engine: Engine, every_days: int
) -> None:
    world = generate_world(7, 2000, 300, 6000, START, every_days=every_days)
    _check_outcomes(engine.decide_many(decision_requests(world)))


def _decided(engine: Engine, world: World) -> list[tuple[str, str, str, Decision]]:
    return [
        (o.buyer_id, d.recipient_id, d.purpose.value, engine.decide(r))
        for o, d, r in disclosure_requests(world)
    ]


def test_the_deliberate_cases_decide_as_the_law_says(engine: Engine, world: World) -> None:
    decided = _decided(engine, world)

    def one(buyer: str, recipient: str, purpose: str = "shipping") -> list[Decision]:
        found = [d for b, r, p, d in decided if (b, r, p) == (buyer, recipient, purpose)]
        assert found, (buyer, recipient, purpose)
        return found

    def codes(decision: Decision) -> set[ReasonCode]:
        return {r.code for r in decision.reasons}

    def bases(decision: Decision) -> set[tuple[Basis, Ground]]:
        return {(b.basis, b.ground) for b in decision.bases}

    # Two consents to a Chinese seller: provision and transfer, both named in the bases.
    d = one("b-000006", "s-000001")[0]
    assert bases(d) == {(Basis.PROVISION, Ground.CONSENT), (Basis.TRANSFER, Ground.CONSENT)}
    assert len(d.consent_ids) == 2
    # A marketing consent alone sends nothing abroad.
    (d,) = one("b-000006", "s-000001", "marketing")
    assert not d.allowed
    assert codes(d) == {ReasonCode.NO_LAWFUL_GROUND}
    # A provision consent alone: certification (with the measures) or adequacy carries the
    # transfer, nothing else does; an ISMS-P seller without the measures gets nothing.
    assert bases(one("b-000005", "s-000003")[0]) == {
        (Basis.PROVISION, Ground.CONSENT),
        (Basis.TRANSFER, Ground.CERTIFICATION),
    }
    assert bases(one("b-000005", "s-000008")[0]) == {
        (Basis.PROVISION, Ground.CONSENT),
        (Basis.TRANSFER, Ground.ADEQUACY),
    }
    assert not one("b-000005", "s-000010")[0].allowed
    assert not one("b-000005", "s-000001")[0].allowed
    # A country-wide consent given against a version that did not name the seller.
    assert codes(one("b-000011", "s-000006")[0]) == {ReasonCode.NO_LAWFUL_GROUND}
    assert one("b-000012", "s-000006")[0].allowed  # consented again against a later version
    # Registered after the last version: not disclosed, whatever the consents.
    assert codes(one("b-000006", "s-000007")[0]) == {ReasonCode.NOT_DISCLOSED}
    # A buyer living in China: a Chinese seller is abroad, a Korean one at home.
    assert one("b-000010", "s-000001")[0].cross_border
    assert not one("b-000010", "s-000001")[0].allowed
    assert not one("b-000010", "s-000004")[0].cross_border
    assert one("b-000010", "p-001")[0].allowed
    # The regulator's order: refused while it holds, allowed before and after.
    suspended = [d.allowed for d in one("b-000006", "s-000009")]
    assert suspended == [True, False, True]
    assert codes(one("b-000006", "s-000009")[1]) == {ReasonCode.TRANSFER_ORDER_SUSPENDED}
    # The customs mandate covers the Korean broker, even for a suspended buyer, and nobody else.
    (d,) = one("b-000001", "cb-002", "customs_clearance")
    assert d.allowed
    assert d.ground is Ground.LEGAL_MANDATE
    assert next(iter(codes(d))) is ReasonCode.SUSPENSION_REFUSED_BY_LAW
    for recipient in ("s-000001", "cb-003"):
        (d,) = one("b-000006", recipient, "customs_clearance")
        assert codes(d) == {ReasonCode.MANDATE_DOES_NOT_COVER}
    # A Korean processor on a US cloud is a transfer abroad.
    assert all(d.cross_border for d in one("b-000006", "p-012", "customer_service"))


def test_every_seller_release_rests_on_a_provision_basis(engine: Engine, world: World) -> None:
    roles = {r.id: r.role for r in world.recipients}
    for _, recipient, _, d in _decided(engine, world):
        if not d.allowed or d.bases[0].basis is Basis.MANDATE:
            continue
        kinds = {b.basis for b in d.bases}
        if roles[recipient] is RecipientRole.SELLER:
            assert Basis.PROVISION in kinds
        if d.cross_border:
            assert Basis.TRANSFER in kinds


def test_most_requests_are_allowed_as_on_a_real_marketplace(engine: Engine, world: World) -> None:
    decisions = engine.decide_many(decision_requests(world))
    allowed = sum(d.allowed for d in decisions)
    assert 0.6 < allowed / len(decisions) < 0.98
    grounds = Counter(d.ground for d in decisions)
    assert grounds[Ground.CONSENT] > grounds[Ground.CERTIFICATION]


def test_requests_follow_the_orders_and_their_disclosures(world: World) -> None:
    triples = list(disclosure_requests(world))
    assert len(triples) == sum(len(o.disclosures) for o in world.orders)
    recipients = {r.id: r for r in world.recipients}
    for order, disclosure, request in triples:
        assert request.subject.id == order.buyer_id
        assert request.recipient.id == disclosure.recipient_id
        assert request.recipient.country == recipients[disclosure.recipient_id].country
        assert request.purpose is disclosure.purpose
        assert request.items == disclosure.items
        assert request.at == order.ordered_at + timedelta(minutes=disclosure.minutes_after_order)
        assert request.legal_mandate == disclosure.legal_mandate
        assert request.legal_mandate in {None, CUSTOMS_MANDATE}
        assert (
            request.notice_in_force
            == max(
                (n.published_at, n.version) for n in world.notices if n.published_at <= request.at
            )[1]
        )
        assert request.suspension_orders
        assert request.suspension_orders[0].recipient == "s-000009"


def test_subjects_carry_every_consent_of_their_buyer(world: World) -> None:
    by_buyer = Counter(c.buyer_id for c in world.consents)
    for request in decision_requests(world):
        assert len(request.subject.consents) == by_buyer[request.subject.id]


def test_deciding_at_the_end_sees_withdrawals_made_after_the_order(
    engine: Engine, world: World
) -> None:
    then = engine.decide_many(decision_requests(world))
    now = list(decision_requests(world, at_order_time=False))
    assert {r.at for r in now} == {world.end}
    withdrawn = {
        c.id for c in world.consents if c.withdrawn_at is not None and c.withdrawn_at <= world.end
    }
    after = engine.decide_many(now)
    rested = 0
    for before, later in zip(then, after, strict=True):
        if withdrawn & set(before.consent_ids):
            rested += 1
            assert not withdrawn & set(later.consent_ids)
    assert rested  # some releases rested on consents withdrawn since
    withdrawn_codes = [
        sum(r.code is ReasonCode.CONSENT_WITHDRAWN for d in ds for r in d.reasons)
        for ds in (then, after)
    ]
    assert withdrawn_codes[1] > withdrawn_codes[0]


def test_order_requests_refuses_a_subject_of_another_buyer(world: World) -> None:
    order = world.orders[0]
    other = next(b for b in world.buyers if b.id != order.buyer_id)
    recipients = {
        r.id: recipient_facts(r, naming(world.notices, r.created_at)) for r in world.recipients
    }
    with pytest.raises(ValueError, match="is for"):
        list(order_requests(order, subject_facts(other, ()), recipients))


def test_order_requests_names_an_unknown_recipient(world: World) -> None:
    order = world.orders[0]
    buyer = next(b for b in world.buyers if b.id == order.buyer_id)
    with pytest.raises(ValueError, match="unknown recipient"):
        list(order_requests(order, subject_facts(buyer, ()), {}))


def test_consent_facts_keep_kind_and_times(world: World) -> None:
    buyer = world.buyers[1]  # the scenario buyer whose overseas consent was withdrawn early
    consents = [c for c in world.consents if c.buyer_id == buyer.id]
    subject = subject_facts(buyer, consents)
    overseas = [c for c in subject.consents if c.kind is ConsentKind.OVERSEAS_TRANSFER]
    assert overseas
    assert all(c.withdrawn_at is not None and c.withdrawn_at < world.start for c in overseas)
