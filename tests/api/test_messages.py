"""POST /v1/messages: a message to an order's recipient, filtered by its grants, on both
databases."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from databorder.dlp.models import Message
from databorder.dlp.services import sealed_label
from databorder.gateway.models import AccessGrant
from databorder.runtime import Runtime
from databorder.vault.service import ShreddedError

# The buyer's own values as tests/factories.py registers them, typed into a chat line.
TEXT = (
    "안녕하세요, 010-2345-6789로 연락 주세요. 메일 minsu@example.kr, "
    "주소 서울특별시 강남구 테헤란로 123, 주민번호 900101-1234567 입니다."
)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _disclose(client: TestClient, recipient: str = "s-cn-1") -> str:
    answer = client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-1",
            "recipient_id": recipient,
            "purpose": "shipping",
            "items": ["name", "phone", "address"],
        },
    )
    assert answer.status_code == 201, answer.text
    grant_id: str = answer.json()["grant"]["id"]
    return grant_id


def _message(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "order_id": "o-1",
        "recipient_id": "s-cn-1",
        "sender": "buyer",
        "text": TEXT,
    }
    body.update(overrides)
    return body


def _count(rt: Runtime) -> int:
    with rt.reads() as s:
        return int(s.scalar(select(func.count()).select_from(Message)) or 0)


def _relay_of(rt: Runtime, grant_id: str) -> str:
    with rt.reads() as s:
        return next(iter(rt.seller.relay.values_for(s, grant_id).values()))


def test_a_shipping_recipient_reads_the_relay_and_address_and_nothing_else(
    world: Runtime, client: TestClient
) -> None:
    relay = _relay_of(world, _disclose(client))
    answer = client.post("/v1/messages", json=_message())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["text"] == (
        f"안녕하세요, {relay}로 연락 주세요. 메일 [removed], "
        "주소 서울특별시 강남구 테헤란로 123, 주민번호 [removed] 입니다."
    )
    assert body["changed"] == {"email": 1, "phone": 1, "rrn": 1}
    assert body["found"] == 4
    assert (body["order_id"], body["recipient_id"], body["sender"]) == ("o-1", "s-cn-1", "buyer")
    with world.reads() as s:
        row = s.get(Message, ("b-1", body["id"]))
        assert row is not None
        assert row.changed == body["changed"]
        assert TEXT.encode() not in row.original_sealed  # sealed, not stored in the clear
        opened = world.vault.open_text(
            s, "b-1", sealed_label(row.id, "original"), row.original_sealed
        )
        assert opened == TEXT
        shown = world.vault.open_text(
            s, "b-1", sealed_label(row.id, "filtered"), row.filtered_sealed
        )
        assert shown == body["text"]


def test_erasure_crypto_shreds_a_stored_message_and_refuses_new_ones(
    world: Runtime, client: TestClient
) -> None:
    _disclose(client)
    sent = client.post("/v1/messages", json=_message(sender="support")).json()
    assert client.delete("/v1/buyers/b-1").status_code == 200
    with world.reads() as s:
        row = s.get(Message, ("b-1", sent["id"]))
        assert row is not None
        with pytest.raises(ShreddedError):
            world.vault.open_text(s, "b-1", sealed_label(row.id, "original"), row.original_sealed)
    refused = client.post("/v1/messages", json=_message())
    assert refused.status_code == 410, refused.text
    assert _count(world) == 1


def test_after_withdrawal_every_finding_is_removed(world: Runtime, client: TestClient) -> None:
    _disclose(client)
    assert client.post("/v1/consents/c-1/withdraw", json={}).status_code == 200
    with world.reads() as s:
        assert s.scalars(select(AccessGrant.revoked_at)).one() is not None
    body = client.post("/v1/messages", json=_message()).json()
    assert body["changed"] == {"address": 1, "email": 1, "phone": 1, "rrn": 1}
    assert "010" not in body["text"]
    assert "테헤란로" not in body["text"]


def test_unknown_order_or_recipient_is_404_and_writes_nothing(
    world: Runtime, client: TestClient
) -> None:
    _disclose(client)
    order = client.post("/v1/messages", json=_message(order_id="o-404"))
    assert order.status_code == 404
    assert order.json()["detail"] == "order 'o-404' not found"
    recipient = client.post("/v1/messages", json=_message(recipient_id="s-404"))
    assert recipient.status_code == 404
    assert recipient.json()["detail"] == "recipient 's-404' not found"
    assert _count(world) == 0


def test_a_recipient_that_received_nothing_of_the_order_is_refused_with_409(
    world: Runtime, client: TestClient
) -> None:
    _disclose(client)
    answer = client.post("/v1/messages", json=_message(recipient_id="s-cn-2"))
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "recipient 's-cn-2' received nothing of order 'o-1': "
        "a message goes only to a recipient the order's data was disclosed to"
    )
    assert _count(world) == 0


def test_bad_input_is_422_with_each_field_and_writes_nothing(
    world: Runtime, client: TestClient
) -> None:
    _disclose(client)
    answer = client.post(
        "/v1/messages",
        json=_message(sender="seller", text="x" * 4001, order_id="o 1", extra=1),
    )
    assert answer.status_code == 422
    fields = sorted(e["field"] for e in answer.json()["errors"])
    assert fields == ["extra", "order_id", "sender", "text"]
    empty = client.post("/v1/messages", json=_message(text=""))
    assert [e["field"] for e in empty.json()["errors"]] == ["text"]
    nul = client.post("/v1/messages", json=_message(text="a\x00b"))
    assert "U+0000" in nul.json()["errors"][0]["reason"]
    assert _count(world) == 0


def test_a_retry_with_the_same_idempotency_key_sends_once(
    world: Runtime, client: TestClient
) -> None:
    _disclose(client)
    headers = {"Idempotency-Key": "msg-1"}
    first = client.post("/v1/messages", json=_message(), headers=headers)
    again = client.post("/v1/messages", json=_message(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _count(world) == 1
