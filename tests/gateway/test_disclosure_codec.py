"""A disclosure's outcome as JSON: the one shape the API answers and the CLI prints."""

from datetime import timedelta

from databorder.consent.services import ConsentService
from databorder.gateway.codec import DisclosureOut, outcome_to_json
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.runtime import Runtime
from factories import T0

AT = T0 + timedelta(minutes=5)
ASK = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME, DataItem.PHONE))


def test_an_allowed_outcome_names_its_grant_and_its_place_in_the_log(world: Runtime) -> None:
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, ASK, AT)
    answer = outcome_to_json(outcome, tree_size=7)
    assert answer["grant"] == {
        "id": outcome.grant_id,
        "token": outcome.grant_token,
        "expires_at": outcome.expires_at.isoformat() if outcome.expires_at else None,
    }
    assert answer["log"] == {"leaf_index": 0, "tree_size": 7}
    assert answer["decision"]["items"] == {"name": "plain", "phone": "relay"}
    assert DisclosureOut.model_validate(answer).grant is not None


def test_a_refused_outcome_has_no_grant(world: Runtime) -> None:
    with world.sessions.begin() as s:
        ConsentService(s).withdraw("c-1", T0 + timedelta(minutes=1))
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, ASK, AT)
    answer = outcome_to_json(outcome, tree_size=1)
    assert answer["decision"]["allowed"] is False
    assert answer["grant"] is None
    assert answer["log"] == {"leaf_index": 0, "tree_size": 1}  # a refusal is logged too
    assert DisclosureOut.model_validate(answer).grant is None
