"""The gateway: decisions from the database, grants and records written together or not at all."""

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from databorder.errors import Conflict, InvalidInput, NotFound
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.gateway.services import Gateway, revoke_grants_for_consent
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.runtime import Runtime
from databorder.store.query import by_id
from factories import T0

SHIP = DisclosureAsk(
    "o-1",
    "s-cn-1",
    Purpose.SHIPPING,
    (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.RRN),
)
AT = T0 + timedelta(minutes=5)


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_allowed_disclosure_writes_grant_and_record_with_released_items_only(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, SHIP, AT)
    assert outcome.decision.allowed
    with world.sessions() as s:
        grant = by_id(s, AccessGrant, outcome.grant_id)
        record = by_id(s, Disclosure, outcome.disclosure_id)
        assert grant is not None
        assert record is not None
        assert grant.items == {"name": "plain", "phone": "relay", "address": "plain"}
        assert grant.ground == "consent"
        assert sorted(grant.consent_ids) == ["c-1", "c-p"]
        # Not delivered yet: the pre-delivery cap (60 days after the order) bounds access.
        assert grant.expires_at == T0 + timedelta(days=60)
        assert record.grant_id == grant.id
        assert record.dispositions["rrn"] == "deny"
        assert record.reasons == ["ITEM_PROHIBITED"]
        assert record.recipient_country == "CN"
        assert record.cross_border


def test_refusal_is_recorded_with_reasons_and_no_grant(world: Runtime) -> None:
    ask = DisclosureAsk("o-1", "s-cn-1", Purpose.CUSTOMER_SERVICE, (DataItem.PHONE,))
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, ask, AT)
    assert not outcome.decision.allowed
    assert outcome.grant_id is None
    with world.sessions() as s:
        record = by_id(s, Disclosure, outcome.disclosure_id)
        assert record is not None
        assert not record.allowed
        assert record.reasons[0] == "NO_LAWFUL_GROUND"
        assert count(s, AccessGrant) == 0


class _BadIndexLog:
    """A log that hands out an index the disclosures table refuses, so the record's insert fails."""

    def append_records(self, session: Session, records: Sequence[Mapping[str, Any]]) -> list[int]:
        return [-1] * len(records)


def test_record_write_failure_leaves_no_grant_behind(world: Runtime) -> None:
    with world.sessions.begin() as s:
        world.gateway.disclose(s, SHIP, AT)  # a good one first
    with pytest.raises(IntegrityError), world.sessions.begin() as s:
        Gateway(world.engine, _BadIndexLog()).disclose(s, SHIP, AT)  # CHECK refuses the record
    with world.sessions() as s:
        assert count(s, Disclosure) == 1
        assert count(s, AccessGrant) == 1  # only the first one's grant


def test_failing_log_append_rolls_back_grant_and_record(world: Runtime) -> None:
    class BrokenLog:
        def append_records(
            self, session: Session, records: Sequence[Mapping[str, Any]]
        ) -> list[int]:
            raise RuntimeError("log unavailable")

    with pytest.raises(RuntimeError), world.sessions.begin() as s:
        Gateway(world.engine, BrokenLog()).disclose(s, SHIP, AT)
    with world.sessions() as s:
        assert count(s, Disclosure) == 0
        assert count(s, AccessGrant) == 0


def test_unknown_order_is_not_found_and_writes_nothing(world: Runtime) -> None:
    with pytest.raises(NotFound, match="order 'o-404'"), world.sessions.begin() as s:
        world.gateway.disclose(
            s, DisclosureAsk("o-404", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,)), AT
        )
    with world.sessions() as s:
        assert count(s, Disclosure) == 0


def test_batch_with_one_unknown_order_writes_nothing(world: Runtime) -> None:
    with pytest.raises(NotFound), world.sessions.begin() as s:
        world.gateway.disclose_many(
            s,
            [
                (SHIP, AT),
                (DisclosureAsk("o-404", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,)), AT),
            ],
        )
    with world.sessions() as s:
        assert count(s, Disclosure) == 0
        assert count(s, AccessGrant) == 0


def test_a_seller_cannot_be_given_another_sellers_order(world: Runtime) -> None:
    ask = DisclosureAsk("o-1", "s-cn-2", Purpose.SHIPPING, (DataItem.NAME,))
    with pytest.raises(InvalidInput, match="did not sell"), world.sessions.begin() as s:
        world.gateway.disclose(s, ask, AT)


def test_disclosure_before_the_order_is_invalid(world: Runtime) -> None:
    with pytest.raises(InvalidInput, match="precede"), world.sessions.begin() as s:
        world.gateway.disclose(s, SHIP, T0 - timedelta(days=1))


def test_delivery_moves_grant_end_to_delivery_plus_access_days(world: Runtime) -> None:
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, SHIP, AT)
    delivered = T0 + timedelta(days=3)
    with world.sessions.begin() as s:
        assert world.gateway.mark_delivered(s, "o-1", delivered) == 1
    with world.sessions() as s:
        grant = by_id(s, AccessGrant, outcome.grant_id)
        assert grant is not None
        assert grant.expires_at == delivered + timedelta(days=30)  # min(retention 30, cap 30)
    with pytest.raises(Conflict, match="already delivered"), world.sessions.begin() as s:
        world.gateway.mark_delivered(s, "o-1", delivered)


def test_withdrawal_revokes_exactly_the_grants_the_consent_grounded(world: Runtime) -> None:
    with world.sessions.begin() as s:
        first = world.gateway.disclose(s, SHIP, AT)
    with world.sessions.begin() as s:
        assert revoke_grants_for_consent(s, "b-1", "c-1", AT + timedelta(hours=1)) == 1
    with world.sessions() as s:
        grant = by_id(s, AccessGrant, first.grant_id)
        assert grant is not None
        assert grant.revoke_reason == "consent_withdrawn"
