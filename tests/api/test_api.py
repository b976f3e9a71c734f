"""HTTP: bad input answers 422 naming the field, unknown things 404, and nothing is written."""

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from databorder.gateway.codec import DisclosureOut
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.policy.json_api import DecisionOut
from databorder.registry.models import Recipient
from databorder.runtime import Runtime

CONTRACT_EXAMPLE: dict[str, Any] = {
    "at": "2026-11-23T10:00:00+09:00",
    "pack": "pipa",
    "notice_in_force": "2026-11-01",
    "subject": {
        "id": "b-1",
        "residence": "KR",
        "transfer_suspended": False,
        "consents": [
            {
                "id": "c-1",
                "kind": "third_party_provision",
                "notice_version": "2026-11-01",
                "recipients": ["s-9"],
                "countries": [],
                "items": ["name", "phone", "address"],
                "purposes": ["shipping"],
                "given_at": "2026-11-01T09:00:00+09:00",
                "withdrawn_at": None,
            },
            {
                "id": "c-2",
                "kind": "overseas_transfer",
                "notice_version": "2026-11-01",
                "recipients": [],
                "countries": ["CN"],
                "items": ["name", "phone", "address"],
                "purposes": ["shipping"],
                "given_at": "2026-11-01T09:00:00+09:00",
                "withdrawn_at": None,
            },
        ],
    },
    "recipient": {
        "id": "s-9",
        "name": "Shenzhen Example Trading Co., Ltd.",
        "country": "CN",
        "role": "seller",
        "contact": {"email": "privacy@example.cn", "phone": "+86 755 1234 5678"},
        "certifications": [],
        "certification_measures": False,
        "contract_safeguards": True,
        "notices": ["2026-10-01", "2026-11-01"],
        "retention_days": 30,
        "data_countries": [],
    },
    "suspension_orders": [],
    "purpose": "shipping",
    "items": ["name", "phone", "address", "postal_code", "card_number"],
    "legal_mandate": None,
}


def _fields(answer: Any) -> list[str]:
    return [d["field"] for d in answer.json()["errors"]]


def test_decision_for_the_contract_example(client: TestClient) -> None:
    answer = client.post("/v1/decisions", json=CONTRACT_EXAMPLE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["allowed"] is True
    assert body["ground"] == "consent"
    assert body["article"] == "PIPA 28-8(1)1"
    assert body["items"] == {
        "name": "plain",
        "phone": "relay",
        "address": "plain",
        "postal_code": "deny",
        "card_number": "deny",
    }
    assert body["bases"] == [
        {"basis": "provision", "ground": "consent", "article": "PIPA 17(1)1", "consent_id": "c-1"},
        {"basis": "transfer", "ground": "consent", "article": "PIPA 28-8(1)1", "consent_id": "c-2"},
    ]
    assert body["access_expires_after_delivery_days"] == 30
    codes = {(r["code"], r["item"]) for r in body["reasons"]}
    assert codes == {("ITEM_NOT_NEEDED", "card_number"), ("CONSENT_DOES_NOT_COVER", "postal_code")}


def test_array_in_array_out(client: TestClient) -> None:
    answer = client.post("/v1/decisions", json=[CONTRACT_EXAMPLE, CONTRACT_EXAMPLE])
    assert answer.status_code == 200
    assert [d["allowed"] for d in answer.json()] == [True, True]


def test_decisions_answer_what_the_openapi_document_describes(client: TestClient) -> None:
    refused = json.loads(json.dumps(CONTRACT_EXAMPLE))
    refused["subject"]["consents"] = []
    answer = client.post("/v1/decisions", json=[CONTRACT_EXAMPLE, refused])
    assert answer.status_code == 200
    allowed, denied = (DecisionOut.model_validate(d) for d in answer.json())  # no extra members
    assert (allowed.allowed, denied.allowed) == (True, False)
    assert all(set(reason.model_extra or {}) == {"ko"} for reason in allowed.reasons)


def test_a_request_for_another_rule_pack_is_refused_by_index(client: TestClient) -> None:
    other = {**CONTRACT_EXAMPLE, "pack": "gdpr"}
    single = client.post("/v1/decisions", json=other)
    batch = client.post("/v1/decisions", json=[CONTRACT_EXAMPLE, other])
    assert (single.status_code, batch.status_code) == (422, 422)
    assert _fields(single) == ["pack"]
    assert _fields(batch) == ["1.pack"]
    assert (
        batch.json()["errors"][0]["reason"] == "unknown rule pack 'gdpr'; this service runs 'pipa'"
    )


def test_decisions_are_counted_once_each(client: TestClient) -> None:
    client.post("/v1/decisions", json=[CONTRACT_EXAMPLE, CONTRACT_EXAMPLE])
    metrics = client.get("/metrics").text
    assert 'databorder_decisions_total{cross_border="true",ground="consent"} 2.0' in metrics


def test_unknown_key_is_rejected_with_its_path(client: TestClient) -> None:
    bad = json.loads(json.dumps(CONTRACT_EXAMPLE))
    bad["recipient"]["nickname"] = "x"
    answer = client.post("/v1/decisions", json=bad)
    assert answer.status_code == 422
    assert _fields(answer) == ["recipient.nickname"]


def test_bad_country_and_unknown_purpose_are_named(client: TestClient) -> None:
    bad = json.loads(json.dumps(CONTRACT_EXAMPLE))
    bad["recipient"]["country"] = "XX"
    bad["purpose"] = "resale"
    answer = client.post("/v1/decisions", json=bad)
    assert answer.status_code == 422
    assert sorted(_fields(answer)) == ["purpose", "recipient.country"]


def test_disclosure_for_unknown_order_is_404_and_writes_nothing(
    world: Runtime, client: TestClient
) -> None:
    answer = client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-404",
            "recipient_id": "s-cn-1",
            "purpose": "shipping",
            "items": ["name"],
        },
    )
    assert answer.status_code == 404
    assert answer.json()["detail"] == "order 'o-404' not found"
    with world.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Disclosure)) == 0


def test_disclosure_with_unknown_item_is_422(world: Runtime, client: TestClient) -> None:
    answer = client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-1",
            "recipient_id": "s-cn-1",
            "purpose": "shipping",
            "items": ["name", "shoe_size"],
        },
    )
    assert answer.status_code == 422
    assert _fields(answer) == ["items.1"]


def test_disclosure_over_http_grants_and_records(world: Runtime, client: TestClient) -> None:
    answer = client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-1",
            "recipient_id": "s-cn-1",
            "purpose": "shipping",
            "items": ["name", "phone", "address"],
        },
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["decision"]["allowed"] is True
    assert body["grant"]["id"]
    with world.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AccessGrant)) == 1
    disclosed = DisclosureOut.model_validate(body)  # the documented shape, no extra members
    assert disclosed.log.tree_size == 1
    record = client.get(f"/v1/disclosures/{body['disclosure_id']}").json()
    assert record["grant_id"] == body["grant"]["id"]
    assert record["leaf_index"] == disclosed.log.leaf_index == 0
    assert record["ground"] == "consent"


def test_withdrawal_over_http_revokes_in_the_same_request(
    world: Runtime, client: TestClient
) -> None:
    client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-1",
            "recipient_id": "s-cn-1",
            "purpose": "shipping",
            "items": ["name"],
        },
    )
    early = client.post("/v1/consents/c-1/withdraw", json={"at": "2020-01-01T00:00:00+00:00"})
    assert early.status_code == 422
    assert _fields(early) == ["at"]
    answer = client.post("/v1/consents/c-1/withdraw", json={})
    assert answer.status_code == 200
    assert answer.json()["grants_revoked"] == 1


def test_recipient_csv_import_over_http_names_row_and_field(
    runtime: Runtime, client: TestClient
) -> None:
    text = Path(__file__).with_name("recipients_bad.csv").read_text("utf-8")
    answer = client.post(
        "/v1/recipients/import", content=text, headers={"Content-Type": "text/csv"}
    )
    assert answer.status_code == 422
    assert [(d["row"], d["field"]) for d in answer.json()["errors"]] == [(2, "privacy_phone")]
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Recipient)) == 0


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/decisions", "/v1/disclosures", "/v1/seller/orders/{order_id}/data"} <= set(paths)
