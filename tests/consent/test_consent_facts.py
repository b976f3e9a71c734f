"""One builder turns any record of a consent into the engine's facts (consent/facts.py): the
stored row, the decision contract's JSON and the synthetic world's spec give the same facts."""

from datetime import UTC, datetime

from databorder.consent.facts import consent_facts
from databorder.consent.models import Consent
from databorder.model import ConsentKind, DataItem, Purpose
from databorder.policy.codec import ContractConsent
from databorder.policy.types import ConsentFacts
from databorder.runtime import Runtime
from databorder.sim.types import ConsentSpec
from factories import add_buyer, add_consent, add_notice

GIVEN = datetime(2026, 10, 15, tzinfo=UTC)
WITHDRAWN = datetime(2026, 11, 2, tzinfo=UTC)
EXPECTED = ConsentFacts(
    id="c-1",
    kind=ConsentKind.OVERSEAS_TRANSFER,
    notice_version="2026-10-01",
    recipients=frozenset({"s-cn-1"}),
    countries=frozenset({"CN"}),
    items=frozenset({DataItem.NAME, DataItem.ADDRESS}),
    purposes=frozenset({Purpose.SHIPPING}),
    given_at=GIVEN,
    withdrawn_at=WITHDRAWN,
)


def test_a_stored_consent_becomes_the_facts_it_was_given_with(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_buyer(s, runtime)
        add_notice(s, runtime)
        add_consent(
            s,
            countries=["CN"],
            items=["name", "address"],
            withdrawn_at=WITHDRAWN.isoformat(),
        )
    with runtime.sessions() as s:
        row = s.get(Consent, ("b-1", "c-1"))
        assert row is not None
        facts = consent_facts(row)
    assert facts == EXPECTED
    assert type(facts.kind) is ConsentKind  # members, not the stored strings
    assert {type(i) for i in facts.items} == {DataItem}


def test_the_contract_json_and_the_sim_spec_give_the_same_facts() -> None:
    contract = ContractConsent.model_validate(
        {
            "id": "c-1",
            "kind": "overseas_transfer",
            "notice_version": "2026-10-01",
            "recipients": ["s-cn-1"],
            "countries": ["CN"],
            "items": ["name", "address", "name"],
            "purposes": ["shipping"],
            "given_at": GIVEN.isoformat(),
            "withdrawn_at": WITHDRAWN.isoformat(),
        }
    )
    spec = ConsentSpec(
        id="c-1",
        buyer_id="b-1",
        kind=ConsentKind.OVERSEAS_TRANSFER,
        notice_version="2026-10-01",
        recipients=("s-cn-1",),
        countries=("CN",),
        items=(DataItem.NAME, DataItem.ADDRESS),
        purposes=(Purpose.SHIPPING,),
        given_at=GIVEN,
        withdrawn_at=WITHDRAWN,
    )
    assert consent_facts(contract) == consent_facts(spec) == EXPECTED
