"""The log's HTTP routes: head, key and proofs a buyer can check with the pure verifiers."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from ledger_factories import fill
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger import merkle
from databorder.ledger.http import (
    ConsistencyProofOut,
    InclusionProofOut,
    PublicKeyOut,
    SignedHeadOut,
)
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import SignedHead, key_id, verify_head


def test_a_buyer_checks_a_leaf_against_the_published_head(
    client: TestClient, sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = fill(sessions, log, 300)
    key = client.get("/v1/log/key").json()
    head_json = client.get("/v1/log/head").json()
    head = SignedHead.from_json(head_json)
    assert head.tree_size == 300
    assert head.key_id == key["key_id"]

    answer = client.get("/v1/log/proof/inclusion", params={"index": 123, "tree_size": 300})
    assert answer.status_code == 200
    hashes = [bytes.fromhex(h) for h in answer.json()["hashes"]]
    assert merkle.verify_inclusion(merkle.leaf_hash(datas[123]), 123, 300, hashes, head.root_hash)


def test_the_head_is_signed_again_only_after_the_log_grows(
    client: TestClient,
    sessions: sessionmaker[Session],
    log: StoredLog,
    signing_key: Ed25519PrivateKey,
) -> None:
    first = client.get("/v1/log/head").json()
    assert first["tree_size"] == 0
    assert client.get("/v1/log/head").json() == first
    fill(sessions, log, 3)
    grown = SignedHead.from_json(client.get("/v1/log/head").json())
    assert grown.tree_size == 3
    assert verify_head(grown, signing_key.public_key())


def test_the_public_key_is_published_with_its_id(
    client: TestClient, signing_key: Ed25519PrivateKey
) -> None:
    key = client.get("/v1/log/key").json()
    assert key["key_id"] == key_id(signing_key.public_key())
    assert key["algorithm"] == "Ed25519"


def test_a_consistency_proof_links_two_heads(
    client: TestClient, sessions: sessionmaker[Session], log: StoredLog
) -> None:
    fill(sessions, log, 10)
    old = SignedHead.from_json(client.get("/v1/log/head").json())
    with sessions.begin() as session:
        log.append_many(session, [b"late %d" % i for i in range(7)])
    new = SignedHead.from_json(client.get("/v1/log/head").json())
    answer = client.get("/v1/log/proof/consistency", params={"first": 10, "second": 17}).json()
    hashes = [bytes.fromhex(h) for h in answer["hashes"]]
    assert merkle.verify_consistency(10, 17, old.root_hash, new.root_hash, hashes)


@pytest.mark.parametrize(
    ("path", "params", "field", "reason"),
    [
        (
            "/v1/log/proof/inclusion",
            {"index": 5, "tree_size": 5},
            "index",
            "must be between 0 and tree_size - 1 = 4, got 5",
        ),
        (
            "/v1/log/proof/inclusion",
            {"index": 0, "tree_size": 9},
            "tree_size",
            "must be between 0 and the log's size 8, got 9",
        ),
        (
            "/v1/log/proof/inclusion",
            {"index": -1, "tree_size": 5},
            "index",
            "Input should be greater than or equal to 0",
        ),
        (
            "/v1/log/proof/consistency",
            {"first": 6, "second": 5},
            "first",
            "must be between 0 and second = 5, got 6",
        ),
        (
            "/v1/log/proof/consistency",
            {"first": 1, "second": 50},
            "second",
            "must be between 0 and the log's size 8, got 50",
        ),
        (
            "/v1/log/proof/consistency",
            {"first": "x", "second": 5},
            "first",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
    ],
)
def test_impossible_proof_requests_answer_422_with_field_and_reason(
    client: TestClient,
    sessions: sessionmaker[Session],
    log: StoredLog,
    path: str,
    params: dict[str, object],
    field: str,
    reason: str,
) -> None:
    fill(sessions, log, 8)
    answer = client.get(path, params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["reason"]) for e in answer.json()["errors"]] == [(field, reason)]


@pytest.mark.parametrize(
    ("path", "params", "model"),
    [
        ("/v1/log/head", {}, SignedHeadOut),
        ("/v1/log/key", {}, PublicKeyOut),
        ("/v1/log/proof/inclusion", {"index": 2, "tree_size": 5}, InclusionProofOut),
        ("/v1/log/proof/consistency", {"first": 2, "second": 5}, ConsistencyProofOut),
    ],
)
def test_each_answer_is_exactly_what_the_openapi_document_describes(
    client: TestClient,
    sessions: sessionmaker[Session],
    log: StoredLog,
    path: str,
    params: dict[str, int],
    model: type[BaseModel],
) -> None:
    fill(sessions, log, 5)
    answer = client.get(path, params=params).json()
    assert model.model_validate(answer).model_dump() == answer
    documented = client.get("/openapi.json").json()["paths"][path]["get"]["responses"]["200"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{model.__name__}"
    }
