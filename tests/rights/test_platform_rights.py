"""Rights the marketplace exercises for a buyer through the API are tracked requests too."""

from fastapi.testclient import TestClient
from rights_factories import disclose, rights_app
from sqlalchemy import select

from databorder.auth.services import ServiceKeys
from databorder.rights import RightsRequests
from databorder.rights.models import RightsTask
from databorder.runtime import Runtime


def platform(world: Runtime) -> TestClient:
    with world.sessions.begin() as s:
        key = ServiceKeys(s).issue("marketplace", ["platform"], world.now())
    return TestClient(rights_app(world), headers={"Authorization": f"Bearer {key}"})


def test_erasing_through_the_api_opens_a_request_with_a_task_per_recipient(world: Runtime) -> None:
    disclose(world)
    with platform(world) as client:
        answer = client.delete("/v1/buyers/b-1")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["erased"] is True
    assert body["grants_revoked"] == 1
    assert body["recipients_notified"] == 1
    assert body["tracking_number"].startswith("R-")
    with world.sessions() as s:
        tasks = s.scalars(select(RightsTask)).all()
        assert [(t.recipient_id, t.topic) for t in tasks] == [("s-cn-1", "customers/redact")]
        receipts = RightsRequests(s, world.vault).for_subject("b-1")
        assert [r.id for r in receipts] == [body["request_id"]]


def test_withdrawing_through_the_api_finds_the_buyer_and_tells_the_recipient(
    world: Runtime,
) -> None:
    disclose(world)
    with platform(world) as client:
        answer = client.post("/v1/consents/c-p/withdraw", json={})
        unknown = client.post("/v1/consents/c-nobody/withdraw", json={})
    assert answer.status_code == 200, answer.text
    assert answer.json()["grants_revoked"] == 1
    assert answer.json()["recipients_notified"] == 1
    assert unknown.status_code == 404
