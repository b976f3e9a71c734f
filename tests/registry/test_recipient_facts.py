"""One builder turns a recipient's registry entry into the engine's facts (registry/facts.py):
the gateway's row and the synthetic world's spec give the same facts."""

from databorder.model import Purpose, RecipientRole
from databorder.policy.types import Contact, RecipientFacts
from databorder.registry.facts import recipient_facts
from databorder.registry.models import Recipient
from databorder.runtime import Runtime
from databorder.sim.types import RecipientSpec
from factories import REGISTERED, add_recipient

NOTICES = frozenset({"2026-10-01", "2026-11-01"})
EXPECTED = RecipientFacts(
    id="s-cn-1",
    name="Shenzhen Example Trading Co., Ltd.",
    country="CN",
    role=RecipientRole.SELLER,
    contact=Contact(email="privacy@example.cn", phone="+8675588881234"),
    certifications=frozenset({"ISMS-P"}),
    certification_measures=True,
    contract_safeguards=True,
    notices=NOTICES,
    retention_days=30,
    data_countries=("SG", "US"),
)


def test_a_registered_recipient_becomes_the_facts_the_engine_judges(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(
            s, certifications=["ISMS-P"], certification_measures=True, data_countries=["SG", "US"]
        )
    with runtime.sessions() as s:
        row = s.get(Recipient, "s-cn-1")
        assert row is not None
        facts = recipient_facts(row, NOTICES)
    assert facts == EXPECTED
    assert type(facts.role) is RecipientRole


def test_the_sim_spec_gives_the_same_facts_as_its_registry_row() -> None:
    spec = RecipientSpec(
        id="s-cn-1",
        legal_name="Shenzhen Example Trading Co., Ltd.",
        country="CN",
        role=RecipientRole.SELLER,
        service="cross-border marketplace seller",
        privacy_email="privacy@example.cn",
        privacy_phone="+8675588881234",
        certifications=("ISMS-P",),
        certification_measures=True,
        contract_safeguards=True,
        data_countries=("SG", "US"),
        purposes=(Purpose.SHIPPING,),
        retention_days=30,
        domestic_agent=None,
        created_at=REGISTERED,
    )
    assert recipient_facts(spec, NOTICES) == EXPECTED
