"""GET /v1/log/proof?disclosure=ID: the officer's tlog-proof bundle of one disclosure."""

import pytest
from fastapi.testclient import TestClient

from databorder.ledger.bundle import parse_bundle, verify_bundle
from databorder.ledger.checkpoint import Policy
from databorder.ledger.note import NoteError
from databorder.rights import RightsRequests
from databorder.runtime import Runtime


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _disclose(client: TestClient) -> dict[str, object]:
    answer = client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-1",
            "recipient_id": "s-cn-1",
            "purpose": "shipping",
            "items": ["name", "address"],
        },
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_the_bundle_proves_the_disclosure_record_against_the_signed_checkpoint(
    world: Runtime, client: TestClient
) -> None:
    disclosed = _disclose(client)
    answer = client.get("/v1/log/proof", params={"disclosure": disclosed["disclosure_id"]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.headers["cache-control"] == "no-store"
    proven = verify_bundle(answer.text, Policy(world.signer.verifier), int(world.now().timestamp()))
    assert proven.record["id"] == disclosed["disclosure_id"]
    assert (proven.record["subject_id"], proven.record["purpose"]) == ("b-1", "shipping")
    assert proven.index == disclosed["log"]["leaf_index"]  # type: ignore[index]


def test_an_erased_buyers_bundle_still_proves_the_leaf_but_opens_nothing(
    world: Runtime, client: TestClient
) -> None:
    disclosed = _disclose(client)
    with world.sessions.begin() as s:
        RightsRequests(s, world.vault).erase("b-1", world.now())
    text = client.get("/v1/log/proof", params={"disclosure": disclosed["disclosure_id"]}).text
    bundle = parse_bundle(text)
    assert (bundle.record, bundle.salt) == (None, None)
    assert "b-1" not in text
    with pytest.raises(NoteError, match="does not open its leaf"):
        verify_bundle(text, Policy(world.signer.verifier), int(world.now().timestamp()))


def test_an_unknown_disclosure_is_404_and_a_bad_id_422(client: TestClient) -> None:
    assert client.get("/v1/log/proof", params={"disclosure": "d-none"}).status_code == 404
    bad = client.get("/v1/log/proof", params={"disclosure": "not an id!"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "disclosure"
