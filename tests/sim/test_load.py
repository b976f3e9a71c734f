"""The world loaded through the real services decides exactly as its pure requests do.

`sim.requests` builds the engine's facts from the world's values; the gateway builds them from
the database the loader wrote (published notice versions, the recipients each names, consents
with their versions, suspension orders). Equal decisions prove the sim's model of v2 is the one
production runs, and that the published tables name who they should.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from databorder.consent.models import Consent, NoticeDocument, NoticeVersion
from databorder.gateway.types import DisclosureAsk
from databorder.notices.store import versions_naming
from databorder.policy.codec import decision_to_json
from databorder.runtime import Runtime
from databorder.sim import World, disclosure_requests, generate_world
from databorder.sim._base import naming
from databorder.sim.load import load_world

START = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def world() -> World:
    return generate_world(4, buyers=60, sellers=14, orders=160, start=START)


def test_published_versions_name_the_registry_as_it_stood(runtime: Runtime, world: World) -> None:
    with runtime.sessions.begin() as session:
        counts = load_world(session, runtime, world)
    assert [v.version for v in counts.notices] == [n.version for n in world.notices]
    with runtime.sessions() as session:
        named = versions_naming(session, [r.id for r in world.recipients])
        for r in world.recipients:
            assert named[r.id] == naming(world.notices, r.created_at), r.id
        rows = {v.version: v for v in session.scalars(select(NoticeVersion))}
        for v in counts.notices:
            assert rows[v.version].content_sha256 == v.content_sha256
            assert rows[v.version].recipient_count == v.recipient_count
        assert session.scalar(select(func.count()).select_from(NoticeDocument))
        for consent in session.scalars(select(Consent)):
            assert consent.notice_sha256 == rows[consent.notice_version].content_sha256
            assert consent.method in {"web_form", "mobile_app", "import"}


def test_the_gateway_decides_as_the_pure_requests(runtime: Runtime, world: World) -> None:
    with runtime.sessions.begin() as session:
        load_world(session, runtime, world)
    triples = list(disclosure_requests(world))
    asks = [
        (
            DisclosureAsk(o.id, d.recipient_id, d.purpose, d.items, d.legal_mandate),
            o.ordered_at + timedelta(minutes=d.minutes_after_order),
        )
        for o, d, _ in triples
    ]
    with runtime.sessions.begin() as session:  # the world's history replayed, withdrawals loaded
        outcomes = runtime.gateway.disclose_many(session, asks, rights_floor=False)
    engine = runtime.engine
    for (order, disclosure, request), outcome in zip(triples, outcomes, strict=True):
        expected = decision_to_json(engine.decide(request))
        assert decision_to_json(outcome.decision) == expected, (order.id, disclosure)
