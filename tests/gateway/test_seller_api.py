"""The seller's read over HTTP: its own key plus a grant token; only the granted items."""

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from databorder.api.app import create_app
from databorder.auth.services import ServiceKeys
from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.registry.services import RegistryService
from databorder.rights.services import RightsService
from databorder.runtime import Runtime
from databorder.vault.models import SubjectKey
from factories import T0, add_buyer, add_consent, add_order

NOW = T0 + timedelta(days=2)  # the clock every request in this module sees
SHIP = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.ORDER_ITEMS)


@pytest.fixture
def rt(world: Runtime) -> Runtime:
    return replace(world, clock=lambda: NOW)


@pytest.fixture
def api(rt: Runtime) -> Iterator[TestClient]:
    """The platform's client (its key by default); seller calls pass their own key."""
    with rt.sessions.begin() as s:
        platform = ServiceKeys(s).issue("marketplace", ["platform"], T0)
    with TestClient(create_app(rt), headers={"Authorization": f"Bearer {platform}"}) as client:
        yield client


def _disclose(
    rt: Runtime,
    order: str = "o-1",
    recipient: str = "s-cn-1",
    purpose: Purpose = Purpose.SHIPPING,
    items: tuple[DataItem, ...] = SHIP,
    at: datetime = T0 + timedelta(minutes=5),
) -> str:
    with rt.sessions.begin() as s:
        outcome = rt.gateway.disclose(s, DisclosureAsk(order, recipient, purpose, items), at)
    assert outcome.grant_token is not None, outcome.decision
    return outcome.grant_token


def _key(rt: Runtime, recipient: str) -> str:
    with rt.sessions.begin() as s:
        return RegistryService(s).issue_api_key(recipient, T0)


def _read(api: TestClient, order: str, key: str | None, token: str | None) -> object:
    headers = {}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    if token is not None:
        headers["X-Grant-Token"] = token
    return api.get(f"/v1/seller/orders/{order}/data", headers=headers)


def test_seller_reads_granted_items_with_relay_phone(rt: Runtime, api: TestClient) -> None:
    token, key = _disclose(rt), _key(rt, "s-cn-1")
    answer = _read(api, "o-1", key, token)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert set(items) == {"name", "phone", "address", "order_items"}
    assert items["name"] == {"disposition": "plain", "value": "김민수"}
    assert items["order_items"]["value"] == "무선 이어폰 1개"
    assert items["phone"]["disposition"] == "relay"
    assert re.fullmatch(r"050[45]-\d{4}-\d{4}", items["phone"]["value"])
    assert "2345" not in items["phone"]["value"]
    assert "6789" not in items["phone"]["value"]


def test_masked_name_never_shows_the_real_value(rt: Runtime, api: TestClient) -> None:
    with rt.sessions.begin() as s:
        for kind in ("overseas_transfer", "third_party_provision"):
            ConsentService(s).give(
                ConsentIn(
                    id=f"c-cs-{kind}",
                    subject_id="b-1",
                    kind=kind,
                    notice_version="2026-10-01",
                    recipients=["s-cn-1"],
                    items=["name", "phone"],
                    purposes=["customer_service"],
                    given_at=T0,
                )
            )
    token = _disclose(rt, purpose=Purpose.CUSTOMER_SERVICE, items=(DataItem.NAME, DataItem.PHONE))
    answer = _read(api, "o-1", _key(rt, "s-cn-1"), token).json()
    assert answer["items"]["name"] == {"disposition": "masked", "value": "김*수"}
    assert "김민수" not in str(answer)
    assert "+821023456789" not in str(answer)


@pytest.fixture
def matrix(rt: Runtime) -> dict[str, str]:
    """Seller A (s-cn-1) and seller B (s-cn-2), each with an order and a grant of its own."""
    with rt.sessions.begin() as s:
        add_buyer(s, rt, "b-2")
        add_consent(s, "c-2", buyer="b-2", recipients=["s-cn-2"])
        add_consent(s, "c-2p", buyer="b-2", recipients=["s-cn-2"], kind="third_party_provision")
        add_order(s, rt, "o-2", buyer="b-2", seller="s-cn-2")
        add_order(s, rt, "o-exp", delivered_at=T0)  # delivered at T0: access ends T0 + 30 days
    return {
        "a": _disclose(rt),
        "b": _disclose(rt, "o-2", "s-cn-2"),
        "revoked": _disclose(rt, "o-1", "s-cn-1"),
        "expired": _disclose(rt, "o-exp", "s-cn-1", at=T0),
    }


@pytest.mark.parametrize(
    ("order", "token", "status"),
    [
        ("o-1", "a", 200),  # own order, own grant
        ("o-2", "b", 404),  # B's order with B's grant: not visible to A at all
        ("o-1", "b", 404),  # own order, B's grant
        ("o-2", "a", 404),  # B's order, own grant
        ("o-1", "forged", 404),  # a token nobody issued
        ("o-404", "a", 404),  # an order that does not exist
    ],
)
def test_isolation_matrix_for_seller_a(
    rt: Runtime, api: TestClient, matrix: dict[str, str], order: str, token: str, status: int
) -> None:
    key_a = _key(rt, "s-cn-1")
    presented = matrix.get(token, "dbg_" + "x" * 43)
    answer = _read(api, order, key_a, presented)
    assert answer.status_code == status, answer.text
    if status == 404:
        assert answer.json()["detail"] == f"order {order!r} not found"


def test_expired_and_revoked_grants_are_410_with_reason(
    rt: Runtime, matrix: dict[str, str]
) -> None:
    key_a = _key(rt, "s-cn-1")
    late = replace(rt, clock=lambda: T0 + timedelta(days=31))
    with TestClient(create_app(late)) as client:
        expired = _read(client, "o-exp", key_a, matrix["expired"])
    assert expired.status_code == 410
    assert expired.json()["reason"] == "expired"
    with rt.sessions.begin() as s:
        RightsService(s, rt.vault).withdraw("c-1", NOW)
    with TestClient(create_app(rt)) as client:
        revoked = _read(client, "o-1", key_a, matrix["revoked"])
    assert revoked.status_code == 410
    assert revoked.json()["reason"] == "consent_withdrawn"


def test_an_order_whose_buyer_has_no_vault_entry_reads_as_missing(
    rt: Runtime, api: TestClient
) -> None:
    token, key = _disclose(rt), _key(rt, "s-cn-1")
    with rt.sessions.begin() as s:
        s.execute(delete(SubjectKey).where(SubjectKey.subject_id == "b-1"))
    answer = _read(api, "o-1", key, token)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "order 'o-1' not found"
    assert "b-1" not in answer.text  # the buyer's id is not the recipient's to know


def test_missing_or_unknown_credentials_are_401(rt: Runtime, api: TestClient) -> None:
    token = _disclose(rt)
    assert _read(api, "o-1", None, token).status_code == 401
    assert _read(api, "o-1", "dbk_forged", token).status_code == 401
    missing_token = _read(api, "o-1", _key(rt, "s-cn-1"), None)
    assert missing_token.status_code == 422
    assert missing_token.json()["errors"][0]["field"] == "x-grant-token"


@pytest.mark.parametrize(("act", "reason"), [("suspend", "suspended"), ("erase", "erased")])
def test_suspension_and_erasure_revoke_in_the_same_transaction(
    rt: Runtime, api: TestClient, act: str, reason: str
) -> None:
    token, key = _disclose(rt), _key(rt, "s-cn-1")
    answer = (
        api.post("/v1/buyers/b-1/suspend") if act == "suspend" else api.delete("/v1/buyers/b-1")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["grants_revoked"] == 1
    after = _read(api, "o-1", key, token)
    assert after.status_code == 410
    assert after.json()["reason"] == reason


def test_rate_limit_answers_429_with_retry_after(world: Runtime) -> None:
    limited = replace(
        world,
        clock=lambda: NOW,
        settings=world.settings.model_copy(
            update={"seller_rate_per_second": 0.001, "seller_rate_burst": 2}
        ),
    )
    token, key = _disclose(limited), _key(limited, "s-cn-1")
    with TestClient(create_app(limited)) as client:
        statuses = [_read(client, "o-1", key, token).status_code for _ in range(3)]
        refused = _read(client, "o-1", key, token)
    assert statuses == [200, 200, 429]
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_revoked_api_key_stops_working_and_a_new_one_works(rt: Runtime, api: TestClient) -> None:
    token, old = _disclose(rt), _key(rt, "s-cn-1")
    new = _key(rt, "s-cn-1")
    with rt.sessions.begin() as s:
        assert RegistryService(s).revoke_api_key("s-cn-1", old[:12], NOW) == 1
    assert _read(api, "o-1", old, token).status_code == 401
    assert _read(api, "o-1", new, token).status_code == 200
