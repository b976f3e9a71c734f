"""The officer's routes for v2 facts: publishing notice versions and the regulator's orders."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from databorder.consent.models import NoticeRecipient, NoticeVersion
from databorder.registry.models import SuspensionOrder
from databorder.runtime import Runtime
from factories import add_recipient


def test_publishing_names_every_registered_recipient_and_answers_its_hash(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
        add_recipient(s, "p-kr-1", legal_name="(주)한빛택배", country="KR", role="processor")
    answer = client.post("/v1/notices/publish", json={"summary": "first"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["recipient_count"] == 2
    assert len(body["content_sha256"]) == 64
    with runtime.sessions() as s:
        named = set(s.scalars(select(NoticeRecipient.recipient_id)))
        assert named == {"s-cn-1", "p-kr-1"}
    again = client.post("/v1/notices/publish", json={"version": body["version"]})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "version"


def test_publish_rejects_a_malformed_version_and_writes_nothing(
    client: TestClient, runtime: Runtime
) -> None:
    answer = client.post("/v1/notices/publish", json={"version": "../etc"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "version"
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(NoticeVersion)) == 0


def test_a_suspension_order_is_recorded_listed_and_ended(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
    created = client.post(
        "/v1/suspension-orders",
        json={"id": "so-1", "recipient_id": "s-cn-1", "reference": "PIPC decision 2026-7"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["grants_revoked"] == 0
    listed = client.get("/v1/suspension-orders").json()
    assert [o["id"] for o in listed] == ["so-1"]
    assert listed[0]["ends_at"] is None
    later = (runtime.now() + timedelta(days=1)).isoformat()
    ended = client.post("/v1/suspension-orders/so-1/end", json={"at": later})
    assert ended.status_code == 200, ended.text
    assert ended.json()["ends_at"] is not None
    twice = client.post("/v1/suspension-orders/so-1/end", json={"at": later})
    assert twice.status_code == 409


def test_a_suspension_order_needs_exactly_one_target_and_a_known_recipient(
    client: TestClient, runtime: Runtime
) -> None:
    both = client.post(
        "/v1/suspension-orders",
        json={"recipient_id": "s-cn-1", "country": "CN", "reference": "PIPC decision"},
    )
    assert both.status_code == 422
    neither = client.post("/v1/suspension-orders", json={"reference": "PIPC decision"})
    assert neither.status_code == 422
    unknown = client.post(
        "/v1/suspension-orders", json={"recipient_id": "s-nobody", "reference": "PIPC decision"}
    )
    assert unknown.status_code == 404
    bad_country = client.post(
        "/v1/suspension-orders", json={"country": "XX", "reference": "PIPC decision"}
    )
    assert bad_country.status_code == 422
    assert bad_country.json()["errors"][0]["field"] == "country"
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SuspensionOrder)) == 0


def test_a_v1_decision_request_is_refused_naming_the_field_that_moved(client: TestClient) -> None:
    from test_api import CONTRACT_EXAMPLE  # noqa: PLC0415

    v1 = {**CONTRACT_EXAMPLE, "recipient": {**CONTRACT_EXAMPLE["recipient"]}}
    v1["recipient"]["disclosed_in_notice"] = True
    answer = client.post("/v1/decisions", json=v1)
    assert answer.status_code == 422
    assert "recipient.notices" in answer.text
    assert "notice_in_force" in answer.text
    mandate = {**CONTRACT_EXAMPLE, "legal_mandate": {"citation": "Customs Act Art. 241"}}
    answer = client.post("/v1/decisions", json=mandate)
    assert answer.status_code == 422
    assert "legal_mandate.id" in answer.text


def test_the_consent_screen_gets_the_version_in_force_and_its_hash_is_checked(
    client: TestClient, runtime: Runtime
) -> None:
    from factories import add_buyer  # noqa: PLC0415

    assert client.get("/v1/notices/current").status_code == 404  # nothing published yet
    with runtime.sessions.begin() as s:
        add_recipient(s)
        add_buyer(s, runtime)
    published = client.post("/v1/notices/publish", json={}).json()
    current = client.get("/v1/notices/current")
    assert current.status_code == 200, current.text
    body = current.json()
    assert body["version"] == published["version"]
    assert body["content_sha256"] == published["content_sha256"]
    assert "Shenzhen Example Trading" in body["html"]["ko"]
    assert "중국" in body["html"]["ko"]
    assert "China" in body["html"]["en"]
    consent = {
        "subject_id": "b-1",
        "kind": "overseas_transfer",
        "notice_version": body["version"],
        "recipients": ["s-cn-1"],
        "items": ["name"],
        "purposes": ["shipping"],
        "given_at": runtime.now().isoformat(),
        "method": "web_form",
    }
    wrong = client.post("/v1/consents", json={**consent, "notice_sha256": "0" * 64})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "notice_sha256"
    right = client.post("/v1/consents", json={**consent, "notice_sha256": body["content_sha256"]})
    assert right.status_code == 201, right.text
