"""The stored log computes exactly the pure module's roots and proofs, inside the caller's transaction."""

import hashlib

import pytest
from ledger_factories import fill, record
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from databorder.errors import InvalidInput
from databorder.ledger import merkle
from databorder.ledger.canonical import canonical_json
from databorder.ledger.log import StoredLog
from databorder.ledger.models import LogLeaf, LogNode

SAMPLE_RECORD = {
    "type": "disclosure",
    "id": "5b0f6c1e-9d1a-4a34-8f1e-2f1b8a0c7d11",
    "decided_at": "2026-11-23T10:00:00+00:00",
    "order_id": "o-1001",
    "subject_id": "b-7f3a",
    "recipient_id": "s-cn-1",
    "recipient_country": "CN",
    "purpose": "shipping",
    "requested": ["name", "address", "phone"],
    "dispositions": {"address": "plain", "name": "plain", "phone": "relay"},
    "allowed": True,
    "cross_border": True,
    "ground": "consent",
    "article": "PIPA 28-8(1)1",
    "bases": [{"article": "PIPA 17(1)1", "basis": "provision", "consent_id": "c-41"}],
    "rule": "R6.bases",
    "reasons": [{"code": "ITEM_NOT_NEEDED", "item": "rrn"}],
    "consent_ids": ["c-41", "c-42"],
    "grant_id": "g-9",
    "access_expires_at": "2027-01-22T10:00:00+00:00",
    "pack": "pipa",
    "pack_version": "2026.1",
    "notice_version": "2026-11-01",
    "legal_mandate": None,
    "note": "배송 (delivery)",
}

# Written by hand: keys in code-point order, no spaces, Korean kept as UTF-8, null/true as JSON.
SAMPLE_BYTES = (
    '{"access_expires_at":"2027-01-22T10:00:00+00:00","allowed":true,"article":"PIPA 28-8(1)1",'
    '"bases":[{"article":"PIPA 17(1)1","basis":"provision","consent_id":"c-41"}],'
    '"consent_ids":["c-41","c-42"],"cross_border":true,"decided_at":"2026-11-23T10:00:00+00:00",'
    '"dispositions":{"address":"plain","name":"plain","phone":"relay"},"grant_id":"g-9",'
    '"ground":"consent","id":"5b0f6c1e-9d1a-4a34-8f1e-2f1b8a0c7d11","legal_mandate":null,'
    '"note":"배송 (delivery)","notice_version":"2026-11-01",'
    '"order_id":"o-1001","pack":"pipa","pack_version":"2026.1","purpose":"shipping",'
    '"reasons":[{"code":"ITEM_NOT_NEEDED","item":"rrn"}],"recipient_country":"CN","recipient_id":"s-cn-1",'
    '"requested":["name","address","phone"],"rule":"R6.bases","subject_id":"b-7f3a",'
    '"type":"disclosure"}'
).encode()


def test_canonical_json_of_a_disclosure_record_is_pinned_byte_for_byte() -> None:
    assert canonical_json(SAMPLE_RECORD) == SAMPLE_BYTES
    # The leaf hash a buyer recomputes from those bytes, by the RFC 6962 formula.
    assert merkle.leaf_hash(SAMPLE_BYTES) == hashlib.sha256(b"\x00" + SAMPLE_BYTES).digest()


def test_canonical_json_refuses_values_json_cannot_carry() -> None:
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        canonical_json({"x": float("nan")})


def test_an_empty_log_has_the_empty_root(sessions: sessionmaker[Session], log: StoredLog) -> None:
    with sessions() as session:
        assert log.size(session) == 0
        assert log.root(session) == merkle.EMPTY_ROOT
        assert log.append_many(session, []) == []


def test_stored_roots_and_proofs_equal_the_pure_ones(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas: list[bytes] = []
    # Uneven batches, so appends start at every kind of frontier.
    for batch in (1, 2, 5, 1, 8, 13, 64, 3, 100, 1, 60):
        new = [record(len(datas) + i) for i in range(batch)]
        with sessions.begin() as session:
            assert log.append_many(session, new) == list(range(len(datas), len(datas) + batch))
        datas += new
    leaves = [merkle.leaf_hash(d) for d in datas]
    assert len(leaves) == 258
    with sessions() as session:
        assert log.size(session) == 258
        for size in range(259):
            assert log.root(session, size) == merkle.root_hash(leaves[:size]), size
        for size in [*range(1, 259, 11), 128, 129, 255, 256, 257, 258]:
            for index in range(size):
                assert log.inclusion_proof(session, index, size) == merkle.inclusion_proof(
                    index, leaves[:size]
                ), (index, size)
            for old in range(size + 1):
                assert log.consistency_proof(session, old, size) == merkle.consistency_proof(
                    old, leaves[:size]
                ), (old, size)


def _rows(session: Session) -> tuple[list[tuple[int, bytes, bytes]], list[tuple[int, int, bytes]]]:
    leaves = session.execute(
        select(LogLeaf.index, LogLeaf.leaf_hash, LogLeaf.data).order_by(LogLeaf.index)
    ).all()
    nodes = session.execute(
        select(LogNode.level, LogNode.index, LogNode.hash).order_by(LogNode.level, LogNode.index)
    ).all()
    return list(leaves), list(nodes)


def test_a_batch_append_stores_the_same_rows_as_one_by_one(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = [record(i) for i in range(77)]
    for data in datas:
        with sessions.begin() as session:
            log.append(session, data)
    with sessions.begin() as session:
        one_by_one = _rows(session)
        for table in ("log_leaves", "log_nodes", "log_state"):
            session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (fixed table names)
    with sessions.begin() as session:
        assert log.append_many(session, datas) == list(range(77))
    with sessions() as session:
        assert _rows(session) == one_by_one
    leaves, nodes = one_by_one
    # Every complete subtree is stored once: 77 leaves, 38 pairs, 19, 9, 4, 2, 1.
    assert len(nodes) == 77 + 38 + 19 + 9 + 4 + 2 + 1
    assert [d for _, _, d in leaves] == datas


def test_an_append_rolled_back_with_its_transaction_leaves_no_trace(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    fill(sessions, log, 5)

    def disclose_then_fail() -> None:
        with sessions.begin() as session:
            log.append_many(session, [record(5), record(6)])
            raise RuntimeError("disclosure write failed")

    with pytest.raises(RuntimeError, match="disclosure write failed"):
        disclose_then_fail()
    with sessions() as session:
        assert log.size(session) == 5
        assert (
            session.scalar(
                select(LogNode.index).where(LogNode.level == 0).order_by(LogNode.index.desc())
            )
            == 4
        )
    with sessions.begin() as session:
        assert log.append(session, record(5)) == 5


def test_proof_requests_beyond_the_log_name_the_field(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    fill(sessions, log, 10)
    with sessions() as session:
        with pytest.raises(InvalidInput) as too_big:
            log.inclusion_proof(session, 3, 11)
        assert str(too_big.value) == "tree_size: must be between 0 and the log's size 10, got 11"
        with pytest.raises(InvalidInput) as both:
            log.inclusion_proof(session, 20, 12)
        assert both.value.problems[0].field == "tree_size"  # the tree is named first
        with pytest.raises(InvalidInput) as index:
            log.inclusion_proof(session, 7, 7)
        assert str(index.value) == "index: must be between 0 and tree_size - 1 = 6, got 7"
        with pytest.raises(InvalidInput) as first:
            log.consistency_proof(session, 8, 6)
        assert str(first.value) == "first: must be between 0 and second = 6, got 8"
        with pytest.raises(InvalidInput) as second:
            log.consistency_proof(session, 1, 12)
        assert second.value.problems[0].field == "second"
