"""Grants counted by state for the metrics: live, ended, and lapsed but not yet swept."""

from datetime import timedelta

from sqlalchemy import update

from databorder.gateway.models import AccessGrant
from databorder.gateway.stats import GrantCounts, grant_counts
from databorder.gateway.sweeper import sweep
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.runtime import Runtime
from factories import T0, add_order

AT = T0 + timedelta(minutes=5)


def test_grants_are_counted_live_ended_and_lapsed(world: Runtime) -> None:
    with world.sessions.begin() as s:
        for order in ("o-2", "o-3"):
            add_order(s, world, order)
        asks = [
            (DisclosureAsk(o, "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,)), AT)
            for o in ("o-1", "o-2", "o-3")
        ]
        grants = [o.grant_id for o in world.gateway.disclose_many(s, asks)]
        s.execute(
            update(AccessGrant)
            .where(AccessGrant.id == grants[0])
            .values(revoked_at=AT, revoke_reason="consent_withdrawn")
        )
        s.execute(update(AccessGrant).where(AccessGrant.id == grants[1]).values(expires_at=AT))
    later = AT + timedelta(hours=1)
    with world.sessions() as s:
        assert grant_counts(s, later) == GrantCounts(live=1, ended=1, lapsed_unswept=1)
    with world.sessions.begin() as s:
        sweep(s, later, world.engine.pack.home_country)
    with world.sessions() as s:
        assert grant_counts(s, later) == GrantCounts(live=1, ended=2, lapsed_unswept=0)
