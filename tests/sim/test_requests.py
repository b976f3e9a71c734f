"""The world's requests, decided by the real engine, produce every refusal code and ground."""

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from databorder.model import ConsentKind, Ground, ReasonCode
from databorder.policy import Decision, Engine, load_pack
from databorder.sim import (
    World,
    decision_requests,
    disclosure_requests,
    generate_world,
    order_requests,
    recipient_facts,
    subject_facts,
)

KST = timezone(timedelta(hours=9))
START = datetime(2026, 5, 1, tzinfo=KST)
EXPECTED_CODES = {
    ReasonCode.NO_LAWFUL_GROUND,
    ReasonCode.CONSENT_WITHDRAWN,
    ReasonCode.CONSENT_DOES_NOT_COVER,
    ReasonCode.NOT_DISCLOSED,
    ReasonCode.CONTRACT_SAFEGUARDS_MISSING,
    ReasonCode.TRANSFER_SUSPENDED,
    ReasonCode.ITEM_NOT_NEEDED,
    ReasonCode.ITEM_PROHIBITED,
    ReasonCode.ROLE_NOT_PERMITTED,
}
EXPECTED_GROUNDS = {
    Ground.CONSENT,
    Ground.LEGAL_MANDATE,
    Ground.ENTRUSTED_CONTRACT,
    Ground.CERTIFICATION,
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_pack())


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(11, buyers=200, sellers=40, orders=500, start=START)


def _outcomes(decisions: list[Decision]) -> tuple[set[ReasonCode], set[Ground]]:
    codes = {reason.code for d in decisions for reason in d.reasons}
    grounds = {d.ground for d in decisions if d.ground is not None}
    return codes, grounds


@pytest.mark.parametrize("seed", [1, 11, 2026])
def test_a_small_world_produces_every_refusal_code_and_ground(engine: Engine, seed: int) -> None:
    world = generate_world(seed, buyers=200, sellers=40, orders=500, start=START)
    codes, grounds = _outcomes(engine.decide_many(decision_requests(world)))
    assert codes >= EXPECTED_CODES, EXPECTED_CODES - codes
    assert grounds >= EXPECTED_GROUNDS, EXPECTED_GROUNDS - grounds


def test_the_smallest_scenario_world_already_produces_them(engine: Engine) -> None:
    world = generate_world(5, buyers=9, sellers=5, orders=12, start=START)
    codes, grounds = _outcomes(engine.decide_many(decision_requests(world)))
    assert codes >= EXPECTED_CODES, EXPECTED_CODES - codes
    assert grounds >= EXPECTED_GROUNDS, EXPECTED_GROUNDS - grounds


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
        if disclosure.legal_mandate is None:
            assert request.legal_mandate is None
        else:
            assert request.legal_mandate is not None
            assert request.legal_mandate.citation == disclosure.legal_mandate


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
    withdrawn_later = sum(
        1 for c in world.consents if c.withdrawn_at is not None and c.withdrawn_at > world.start
    )
    assert withdrawn_later
    after = engine.decide_many(now)
    assert sum(d.allowed for d in after) < sum(d.allowed for d in then)


def test_order_requests_refuses_a_subject_of_another_buyer(world: World) -> None:
    order = world.orders[0]
    other = next(b for b in world.buyers if b.id != order.buyer_id)
    recipients = {r.id: recipient_facts(r) for r in world.recipients}
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
