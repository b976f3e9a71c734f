"""The seller's read over HTTP: only its granted items, in their form, and nobody else's order."""

from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient

from databorder.api.app import create_app
from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.gateway.services import revoke_grants_for_consent
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose, utcnow
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from factories import T0, add_order


def _grant_and_keys(rt: Runtime) -> tuple[str, str, str]:
    now = utcnow()
    with rt.sessions.begin() as s:
        outcome = rt.gateway.disclose(
            s,
            DisclosureAsk(
                "o-1",
                "s-cn-1",
                Purpose.SHIPPING,
                (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.ORDER_ITEMS),
            ),
            now,
        )
        registry = RegistryService(s)
        key_1 = registry.issue_api_key("s-cn-1", now)
        key_2 = registry.issue_api_key("s-cn-2", now)
    assert outcome.grant_id is not None
    return outcome.grant_id, key_1, key_2


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _recent_order(rt: Runtime) -> None:
    """An order placed now, so its pre-delivery cap lies in the future."""
    from databorder.marketplace.models import Order  # noqa: PLC0415

    with rt.sessions.begin() as s:
        order = s.get(Order, "o-1")
        assert order is not None
        order.ordered_at = utcnow() - timedelta(hours=1)


def test_seller_reads_granted_items_with_relay_phone(world: Runtime, client: TestClient) -> None:
    _recent_order(world)
    grant_id, key, _ = _grant_and_keys(world)
    answer = client.get("/v1/seller/orders/o-1/data", headers=_bearer(key))
    assert answer.status_code == 200, answer.text
    (grant,) = answer.json()["grants"]
    assert grant["grant_id"] == grant_id
    items = grant["items"]
    assert set(items) == {"name", "phone", "address", "order_items"}
    assert items["name"] == {"disposition": "plain", "value": "김민수"}
    assert items["order_items"]["value"] == "무선 이어폰 1개"
    assert items["phone"]["disposition"] == "relay"
    assert items["phone"]["value"].startswith("0505-")
    assert "2345" not in items["phone"]["value"]
    assert "6789" not in items["phone"]["value"]
    assert "email" not in items
    assert "rrn" not in items


def test_masked_name_never_shows_the_real_value(world: Runtime, client: TestClient) -> None:
    _recent_order(world)
    now = utcnow()
    with world.sessions.begin() as s:
        ConsentService(s).give(
            ConsentIn(
                id="c-cs",
                subject_id="b-1",
                kind="overseas_transfer",
                notice_version="2026-10-01",
                recipients=["s-cn-1"],
                items=["name", "phone"],
                purposes=["customer_service"],
                given_at=T0,
            )
        )
        world.gateway.disclose(
            s,
            DisclosureAsk(
                "o-1", "s-cn-1", Purpose.CUSTOMER_SERVICE, (DataItem.NAME, DataItem.PHONE)
            ),
            now,
        )
        key = RegistryService(s).issue_api_key("s-cn-1", now)
    answer = client.get("/v1/seller/orders/o-1/data", headers=_bearer(key)).json()
    (grant,) = answer["grants"]
    assert grant["items"]["name"] == {"disposition": "masked", "value": "김*수"}
    assert "김민수" not in str(answer)
    assert "+821023456789" not in str(answer)
    assert "010-2345-6789" not in str(answer)


def test_another_sellers_order_is_404_like_a_missing_one(
    world: Runtime, client: TestClient
) -> None:
    _recent_order(world)
    _, _, other_key = _grant_and_keys(world)
    theirs = client.get("/v1/seller/orders/o-1/data", headers=_bearer(other_key))
    missing = client.get("/v1/seller/orders/o-nope/data", headers=_bearer(other_key))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["message"].replace("o-1", "X") == missing.json()["message"].replace(
        "o-nope", "X"
    )


def test_missing_or_unknown_key_is_401(world: Runtime, client: TestClient) -> None:
    assert client.get("/v1/seller/orders/o-1/data").status_code == 401
    answer = client.get("/v1/seller/orders/o-1/data", headers=_bearer("dbk_forged"))
    assert answer.status_code == 401
    assert "unknown" in answer.json()["message"]


def test_revoked_grant_is_410_with_reason(world: Runtime, client: TestClient) -> None:
    _recent_order(world)
    _, key, _ = _grant_and_keys(world)
    with world.sessions.begin() as s:
        revoke_grants_for_consent(s, "c-1", utcnow())
    answer = client.get("/v1/seller/orders/o-1/data", headers=_bearer(key))
    assert answer.status_code == 410
    assert answer.json()["reason"] == "consent_withdrawn"


def test_expired_grant_is_410_expired(world: Runtime) -> None:
    with world.sessions.begin() as s:
        add_order(s, world, "o-old", delivered_at=T0 + timedelta(days=1))
        world.gateway.disclose(
            s,
            DisclosureAsk("o-old", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,)),
            T0 + timedelta(minutes=1),
        )
        key = RegistryService(s).issue_api_key("s-cn-1", T0)
    # Delivered on day 1, retention 30 days: access ends on day 31.
    for day, status in ((30, 200), (32, 410)):
        clocked = replace(world, clock=lambda d=day: T0 + timedelta(days=d))
        with TestClient(create_app(clocked)) as client:
            answer = client.get("/v1/seller/orders/o-old/data", headers=_bearer(key))
        assert answer.status_code == status, (day, answer.text)
    assert answer.json()["reason"] == "expired"
