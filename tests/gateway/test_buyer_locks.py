"""A disclosure group and a withdrawal take turns on the buyer's row (PostgreSQL).

SQLite serialises writers (BEGIN IMMEDIATE) and ignores FOR UPDATE, so the race this closes is
PostgreSQL's: a withdrawal committed while a group decided on the consent it withdrew left a
live grant on that consent (found by the crash harness under `make stress`).
"""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from databorder.gateway.models import AccessGrant
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.rights import RightsRequests
from databorder.runtime import Runtime


@pytest.fixture
def backend() -> str:
    return "postgresql"


def test_a_withdrawal_waits_for_the_group_deciding_on_its_buyer(world: Runtime) -> None:
    ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,))
    group = world.sessions()
    group.begin()
    try:
        assert world.gateway.disclose(group, ask, world.now()).grant_id is not None
        with world.sessions() as other:
            other.execute(text("SET lock_timeout = '200ms'"))
            withdrawals = RightsRequests(other, world.vault)
            with pytest.raises(OperationalError, match="lock"):
                withdrawals.withdraw("b-1", "c-1", world.now())
            other.rollback()
        group.commit()
    finally:
        group.close()

    with world.sessions.begin() as s:  # once the group committed, the withdrawal sees its grant
        receipt = RightsRequests(s, world.vault).withdraw("b-1", "c-1", world.now())
    assert receipt.detail["grants_revoked"] == 1
    with world.sessions() as s:
        assert s.scalar(select(AccessGrant.revoke_reason)) == "consent_withdrawn"
