"""Relay numbers reach the buyer only while the grant lives; the sweeper ends and frees them."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from databorder.api.app import create_app
from databorder.auth.services import ServiceKeys
from databorder.gateway.models import AccessGrant
from databorder.gateway.sweeper import sweep
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.runtime import Runtime
from databorder.store.query import by_id
from databorder.vault.models import RelayEndpoint
from databorder.vault.relay import QUARANTINE
from factories import T0, add_order

AT = T0 + timedelta(minutes=5)


def _relay_number(rt: Runtime, order: str = "o-1", at: datetime = AT) -> tuple[str, str]:
    with rt.sessions.begin() as s:
        outcome = rt.gateway.disclose(
            s, DisclosureAsk(order, "s-cn-1", Purpose.SHIPPING, (DataItem.NAME, DataItem.PHONE)), at
        )
        assert outcome.grant_id is not None
        numbers = rt.gateway.relay.values_for(s, outcome.grant_id)
    return outcome.grant_id, numbers[DataItem.PHONE]


def _keys(rt: Runtime) -> tuple[str, str]:
    with rt.sessions.begin() as s:
        keys = ServiceKeys(s)
        return keys.issue("carrier switch", ["telephony"], T0), keys.issue("shop", ["platform"], T0)


def _resolve(rt: Runtime, number: str, key: str | None, now: datetime) -> object:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with TestClient(create_app(replace(rt, clock=lambda: now))) as client:
        return client.get(f"/v1/relay/{number}", headers=headers)


def test_relay_number_resolves_to_the_buyer_only_for_telephony(world: Runtime) -> None:
    _, number = _relay_number(world)
    telephony, platform = _keys(world)
    live = _resolve(world, number, telephony, AT)
    assert live.status_code == 200, live.text
    assert live.json()["target"] == "+821023456789"
    assert _resolve(world, number, None, AT).status_code == 401
    assert _resolve(world, number, platform, AT).status_code == 403
    assert _resolve(world, "0505-0000-0000", telephony, AT).status_code == 404


def test_relay_dies_with_the_grant(world: Runtime) -> None:
    grant_id, number = _relay_number(world)
    telephony, _ = _keys(world)
    with world.sessions.begin() as s:
        grant = by_id(s, AccessGrant, grant_id)
        assert grant is not None
        grant.revoked_at, grant.revoke_reason = AT, "consent_withdrawn"
    gone = _resolve(world, number, telephony, AT + timedelta(minutes=1))
    assert gone.status_code == 410
    assert gone.json()["reason"] == "consent_withdrawn"


def test_sweep_ends_expired_grants_frees_numbers_and_is_idempotent(world: Runtime) -> None:
    with world.sessions.begin() as s:
        add_order(s, world, "o-d", delivered_at=T0)
    grant_id, number = _relay_number(world, "o-d", at=T0)
    later = T0 + timedelta(days=31)  # delivered at T0 + 30 days of access
    with world.sessions.begin() as s:
        report = sweep(s, later, "KR")
    assert (report.grants_ended, report.relays_released) == (1, 1)
    with world.sessions.begin() as s:
        again = sweep(s, later, "KR")
        grant = by_id(s, AccessGrant, grant_id)
        endpoint = s.get(RelayEndpoint, number)
        assert grant is not None
        assert endpoint is not None
        assert grant.revoke_reason == "expired"
        assert endpoint.grant_id is None
    assert (again.grants_ended, again.relays_released, again.reads_deleted) == (0, 0, 0)
    telephony, _ = _keys(world)
    assert _resolve(world, number, telephony, later).status_code == 404


@pytest.mark.parametrize(
    ("rest", "reused"),
    [(QUARANTINE - timedelta(days=1), False), (QUARANTINE + timedelta(days=1), True)],
)
def test_a_released_number_rests_before_reuse(
    world: Runtime, rest: timedelta, reused: bool
) -> None:
    with world.sessions.begin() as s:
        add_order(s, world, "o-d", delivered_at=T0)
    _, first = _relay_number(world, "o-d", at=T0)
    released_at = T0 + timedelta(days=31)
    with world.sessions.begin() as s:
        sweep(s, released_at, "KR")
        add_order(s, world, "o-new")
    _, second = _relay_number(world, "o-new", at=released_at + rest)
    assert (second == first) is reused
