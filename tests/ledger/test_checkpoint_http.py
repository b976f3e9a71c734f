"""The log in C2SP form over HTTP: its vkey, its checkpoint, and tiles a client proves from alone."""

import json

import pytest
from fastapi.testclient import TestClient
from ledger_factories import fill
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger import merkle
from databorder.ledger.checkpoint import Policy
from databorder.ledger.log import StoredLog
from databorder.ledger.note import NoteError, parse_vkey
from databorder.ledger.signing import SignedHead
from databorder.ledger.tiles import (
    Tile,
    node_from_tile,
    parse_entry_bundle,
    split_hashes,
    tile_path,
    tiles_for_size,
)

NOW = 1_800_000_000


def test_the_checkpoint_verifies_under_the_published_vkey_and_matches_the_head(
    client: TestClient, sessions: sessionmaker[Session], log: StoredLog
) -> None:
    fill(sessions, log, 300)
    key = client.get("/v1/log/key").json()
    verifier = parse_vkey(key["vkey"])
    assert verifier.name == key["origin"] == "databorder.localhost/log"
    answer = client.get("/v1/log/checkpoint")
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.headers["cache-control"] == "no-cache"
    trusted = Policy(verifier).check(answer.content, NOW)
    head = SignedHead.from_json(client.get("/v1/log/head").json())
    assert (trusted.checkpoint.size, trusted.checkpoint.root) == (300, head.root_hash)
    assert client.get("/v1/log/checkpoint").content == answer.content  # deterministic


def test_a_checkpoint_edited_in_transit_is_refused(client: TestClient) -> None:
    verifier = parse_vkey(client.get("/v1/log/key").json()["vkey"])
    edited = client.get("/v1/log/checkpoint").content.replace(b"\n0\n", b"\n1\n", 1)
    with pytest.raises(NoteError, match="does not verify"):
        Policy(verifier).check(edited, NOW)


def test_proofs_rebuilt_from_served_tiles_equal_the_servers(
    client: TestClient, sessions: sessionmaker[Session], log: StoredLog
) -> None:
    size = 600  # level 0: tiles 0 and 1 full, tile 2 of 88; level 1: tile 0 of 2
    datas = fill(sessions, log, size)
    assert tiles_for_size(size) == [Tile(0, 2, 88), Tile(1, 0, 2)]
    fetched: dict[Tile, list[bytes]] = {}

    def fetch(tile: Tile) -> list[bytes]:
        if tile not in fetched:
            answer = client.get(f"/v1/log/{tile_path(tile)}")
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"] == "application/octet-stream"
            fetched[tile] = split_hashes(answer.content)
        return fetched[tile]

    def node(n: tuple[int, int]) -> bytes:
        return node_from_tile(n, fetch, size)

    assert fetch(Tile(0, 0)) == [merkle.leaf_hash(d) for d in datas[:256]]
    for index in (0, 255, 256, 511, 512, 599):
        served = client.get("/v1/log/proof/inclusion", params={"index": index, "tree_size": size})
        hashes = [bytes.fromhex(h) for h in served.json()["hashes"]]
        assert merkle.proof_hashes(merkle.inclusion_ranges(index, size), node) == hashes
    served = client.get("/v1/log/proof/consistency", params={"first": 300, "second": size})
    expected = [bytes.fromhex(h) for h in served.json()["hashes"]]
    assert merkle.proof_hashes(merkle.consistency_ranges(300, size), node) == expected
    head = SignedHead.from_json(client.get("/v1/log/head").json())
    assert merkle.proof_hashes([(0, size)], node) == [head.root_hash]


def test_tiles_are_immutable_and_only_served_once_complete(
    client: TestClient, sessions: sessionmaker[Session], log: StoredLog
) -> None:
    fill(sessions, log, 300)
    full = client.get("/v1/log/tile/0/000")
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert len(full.content) == 256 * 32
    assert len(client.get("/v1/log/tile/0/001.p/44").content) == 44 * 32
    assert client.get("/v1/log/tile/0/001.p/43").status_code == 200  # a narrower prefix
    assert client.get("/v1/log/tile/0/001.p/45").status_code == 404
    assert client.get("/v1/log/tile/0/001").status_code == 404
    assert client.get("/v1/log/tile/1/000.p/1").status_code == 200
    assert client.get("/v1/log/tile/1/000.p/2").status_code == 404


@pytest.mark.parametrize(
    "path", ["tile/0/1", "tile/0/x000/001", "tile/0/000.p/256", "tile/00/000", "tile/entry/000"]
)
def test_malformed_tile_paths_answer_422(client: TestClient, path: str) -> None:
    answer = client.get(f"/v1/log/{path}")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] in {"path", "level"}


def test_a_leaf_over_the_bundle_limit_is_not_appended(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    with sessions.begin() as session, pytest.raises(ValueError, match="over 65535"):
        log.append(session, bytes(65536))
    with sessions.begin() as session:
        assert log.size(session) == 0


def test_entry_bundles_of_private_leaves_are_served_and_hash_to_their_tile(
    client: TestClient, sessions: sessionmaker[Session], log: StoredLog
) -> None:
    with sessions.begin() as session:
        log.append_records(session, [{"type": "disclosure", "id": f"d-{i}"} for i in range(300)])
    answer = client.get("/v1/log/tile/entries/001.p/44")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    entries = parse_entry_bundle(answer.content)
    assert [json.loads(e)["id"] for e in entries] == [f"d-{i}" for i in range(256, 300)]
    level_0 = split_hashes(client.get("/v1/log/tile/0/001.p/44").content)
    assert [merkle.leaf_hash(e) for e in entries] == level_0


def test_a_bundle_holding_leaves_from_before_private_leaves_is_not_served(
    client: TestClient, sessions: sessionmaker[Session], log: StoredLog
) -> None:
    fill(sessions, log, 10)  # leaves that carry their records
    answer = client.get("/v1/log/tile/entries/000.p/10")
    assert answer.status_code == 404
    assert client.get("/v1/log/tile/0/000.p/10").status_code == 200  # hashes reveal nothing
