"""A request's `at` cannot undo a rights event (issue 11, finding 1).

A disclosure is judged against the server's clock and every withdrawal, suspension and erasure
already recorded; a withdrawal cannot be dated ahead; history comes in only through the
officer's import, which never creates a grant a recipient could read.
"""

import functools
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from databorder.api.app import create_app
from databorder.auth.services import ServiceKeys
from databorder.consent.models import Consent
from databorder.errors import InvalidInput
from databorder.gateway.batch import PendingDisclosure, RecordedDisclosure, disclose_group
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.gateway.types import DisclosureAsk
from databorder.ledger.models import LogLeaf, LogRecord
from databorder.model import DataItem, Purpose
from databorder.rights import RightsRequests
from databorder.runtime import Runtime
from factories import T0, add_consent


def _ask(at: datetime | None = None, order: str = "o-1") -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": order,
        "recipient_id": "s-cn-1",
        "purpose": "shipping",
        "items": ["name", "address"],
    }
    if at is not None:
        body["at"] = at.isoformat()
    return body


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _fields(answer: Any) -> list[str]:
    return [e["field"] for e in answer.json()["errors"]]


def test_a_disclosure_dated_before_a_withdrawal_is_refused(
    world: Runtime, client: TestClient
) -> None:
    assert client.post("/v1/consents/c-1/withdraw", json={}).status_code == 200
    withdrawn = world.now()

    backdated = client.post("/v1/disclosures", json=_ask(withdrawn - timedelta(minutes=4)))

    assert backdated.status_code == 422, backdated.text
    assert _fields(backdated) == ["at"]
    assert "withdrawal, suspension or erasure" in backdated.json()["errors"][0]["reason"]
    assert (_count(world, AccessGrant), _count(world, Disclosure), _count(world, LogLeaf)) == (
        0,
    ) * 3
    # Asked now, it is decided on the consent as it stands: refused, and recorded as refused.
    now = client.post("/v1/disclosures", json=_ask())
    assert now.status_code == 201
    assert now.json()["decision"]["allowed"] is False
    assert _count(world, AccessGrant) == 0


@pytest.mark.parametrize(
    ("offset", "status"),
    [
        (timedelta(minutes=-10), 422),
        (timedelta(minutes=-4), 201),
        (timedelta(minutes=4), 201),
        (timedelta(minutes=10), 422),
        (timedelta(days=-30), 422),
    ],
)
def test_a_disclosure_may_be_dated_only_within_the_clock_skew(
    world: Runtime, client: TestClient, offset: timedelta, status: int
) -> None:
    answer = client.post("/v1/disclosures", json=_ask(world.now() + offset))
    assert answer.status_code == status, answer.text
    if status == 422:
        assert _fields(answer) == ["at"]
        assert _count(world, Disclosure) == 0


def test_the_skew_is_a_setting(world: Runtime) -> None:
    world.settings.clock_skew_seconds = 0
    with world.sessions.begin() as s:
        key = ServiceKeys(s).issue("checkout", ["platform"], world.now())
    with TestClient(create_app(world), headers={"Authorization": f"Bearer {key}"}) as client:
        answer = client.post("/v1/disclosures", json=_ask(world.now() - timedelta(seconds=5)))
    assert answer.status_code == 422
    assert "more than 0 s before" in answer.json()["errors"][0]["reason"]


def test_a_withdrawal_cannot_be_dated_in_the_future(world: Runtime, client: TestClient) -> None:
    granted = client.post("/v1/disclosures", json=_ask())
    assert granted.json()["decision"]["allowed"] is True

    ahead = client.post("/v1/consents/c-1/withdraw", json={"at": "2099-01-01T00:00:00+00:00"})
    slightly = client.post(
        "/v1/consents/c-1/withdraw", json={"at": (world.now() + timedelta(seconds=30)).isoformat()}
    )

    assert (ahead.status_code, slightly.status_code) == (422, 422)
    assert _fields(ahead) == _fields(slightly) == ["at"]
    with world.sessions() as s:  # nothing half-written: the consent stands, the grant lives
        assert s.scalar(select(Consent.withdrawn_at).where(Consent.id == "c-1")) is None
        assert s.scalar(select(AccessGrant.revoked_at)) is None
    withdrawn = client.post("/v1/consents/c-1/withdraw", json={})
    assert withdrawn.json()["grants_revoked"] == 1
    again = client.post("/v1/disclosures", json=_ask())
    assert again.json()["decision"]["allowed"] is False


def test_a_consent_cannot_be_recorded_as_withdrawn_in_the_future(
    world: Runtime, client: TestClient
) -> None:
    body = {
        "id": "c-later",
        "subject_id": "b-1",
        "kind": "overseas_transfer",
        "notice_version": "2026-10-01",
        "recipients": ["s-cn-1"],
        "items": ["name"],
        "purposes": ["shipping"],
        "given_at": "2026-10-15T00:00:00+00:00",
        "withdrawn_at": "2099-01-01T00:00:00+00:00",
    }
    answer = client.post("/v1/consents", json=body)
    assert answer.status_code == 422
    assert _fields(answer) == ["withdrawn_at"]
    given_ahead = client.post(
        "/v1/consents", json={**body, "withdrawn_at": None, "given_at": "2099-01-01T00:00:00Z"}
    )
    assert _fields(given_ahead) == ["given_at"]
    with world.sessions() as s:
        assert s.get(Consent, ("b-1", "c-later")) is None


def test_a_suspension_is_a_floor_for_every_caller_of_the_gateway(world: Runtime) -> None:
    suspended = T0 + timedelta(hours=1)
    with world.sessions.begin() as s:
        RightsRequests(s, world.vault).suspend("b-1", suspended)
    ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,))
    with world.sessions.begin() as s, pytest.raises(InvalidInput) as refused:
        world.gateway.disclose(s, ask, suspended - timedelta(minutes=1))
    assert refused.value.problems[0].field == "at"
    with world.sessions.begin() as s:
        after = world.gateway.disclose(s, ask, suspended + timedelta(minutes=1))
    assert after.decision.allowed is False  # decided, and refused: transfers are suspended


def test_a_withdrawal_recorded_by_import_is_a_floor_too(world: Runtime) -> None:
    """A consent brought in already withdrawn bounds disclosures like one withdrawn live."""
    with world.sessions.begin() as s:
        add_consent(s, "c-old", kind="third_party_provision", withdrawn_at=T0 + timedelta(hours=2))
    ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,))
    with world.sessions.begin() as s, pytest.raises(InvalidInput):
        world.gateway.disclose(s, ask, T0 + timedelta(hours=1))


def _import(client: TestClient, *entries: dict[str, Any]) -> Any:
    return client.post(
        "/v1/disclosures/import",
        json={"reason": "orders placed before databorder ran", "disclosures": list(entries)},
    )


def test_the_officer_imports_history_which_never_creates_a_grant(
    world: Runtime, client: TestClient
) -> None:
    assert client.post("/v1/consents/c-1/withdraw", json={}).status_code == 200
    before_withdrawal = T0 + timedelta(minutes=5)

    answer = _import(client, _ask(before_withdrawal))

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["imported"], body["allowed"], body["first_leaf"]) == (1, 1, 0)
    with world.sessions() as s:
        row = s.scalars(select(Disclosure)).one()
        leaf = json.loads(s.scalars(select(LogRecord.record)).one())  # what the leaf commits to
    assert row.allowed
    assert row.grant_id is None
    assert row.decided_at == before_withdrawal
    assert row.imported_by == "key:test suite"
    assert leaf["imported_by"] == "key:test suite"
    assert leaf["import_reason"] == "orders placed before databorder ran"
    assert leaf["grant_id"] is None
    assert _count(world, AccessGrant) == 0


def test_an_import_is_for_officers_and_all_or_nothing(world: Runtime, client: TestClient) -> None:
    with world.sessions.begin() as s:
        platform = ServiceKeys(s).issue("checkout", ["platform"], world.now())
    # No lifespan (no `with`): the suite's client already runs this runtime's background jobs.
    other = TestClient(create_app(world), headers={"Authorization": f"Bearer {platform}"})
    assert _import(other, _ask(T0 + timedelta(minutes=5))).status_code == 403

    future = _import(client, _ask(T0 + timedelta(minutes=5)), _ask(world.now() + timedelta(days=1)))
    unknown = _import(client, _ask(T0 + timedelta(minutes=5)), _ask(T0, order="o-404"))

    assert future.status_code == 422
    assert _fields(future) == ["disclosures.1.at"]
    assert unknown.status_code == 404
    assert (_count(world, Disclosure), _count(world, LogLeaf)) == (0, 0)


def test_a_request_without_at_is_judged_when_its_transaction_runs(world: Runtime) -> None:
    """A disclosure queued for group commit while a withdrawal commits is decided after it:
    refused on the consent's state, not refused for a time the caller never gave."""
    with world.sessions.begin() as s:
        key = ServiceKeys(s).issue("checkout", ["platform"], world.now())
    arrived = world.now()
    with world.sessions.begin() as s:
        RightsRequests(s, world.vault).withdraw("b-1", "c-1", arrived + timedelta(milliseconds=5))
    ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,))
    group = functools.partial(
        disclose_group,
        sessions=world.sessions,
        gateway=world.gateway,
        log=world.log,
        clock=lambda: arrived + timedelta(milliseconds=20),
    )

    stated_at_arrival, omitted = (
        group([PendingDisclosure(key, ask, arrived)]),
        group([PendingDisclosure(key, ask, None)]),
    )

    assert isinstance(stated_at_arrival[0], InvalidInput)
    recorded = omitted[0]
    assert isinstance(recorded, RecordedDisclosure)
    assert recorded.outcome.decision.allowed is False
    assert recorded.outcome.grant_id is None
