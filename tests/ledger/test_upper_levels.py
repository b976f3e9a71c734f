"""Inclusion proofs take the tree's upper levels from memory and stay exactly the pure ones.

The cache (`ledger/upper.py`) must never serve a node the database did not commit, never
outlive a log that shrank, and never stand in for the database where the tree is verified.
"""

import itertools
import random
from datetime import UTC, datetime

import pytest
from ledger_factories import fill, record
from sqlalchemy import event, text
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger import merkle
from databorder.ledger.log import StoredLog
from databorder.ledger.upper import UpperLevels, cached_from
from databorder.store.db import make_read_sessionmaker

FIXED = datetime(2026, 12, 2, tzinfo=UTC)


def _upper_count(size: int, lowest: int = 4) -> int:
    """Complete nodes from the lowest cached level up, and the right edge's lower nodes."""
    edge = [level for level, _ in merkle.range_nodes(0, size) if level < lowest]
    return sum(size >> level for level in range(lowest, 64)) + len(edge)


def _check_proofs(session: Session, log: StoredLog, leaves: list[bytes], size: int) -> None:
    rng = random.Random(size)
    indexes = {
        0,
        size - 1,
        min(255, size - 1),
        min(256, size - 1),
        *rng.sample(range(size), min(20, size)),
    }
    for index in indexes:
        assert log.inclusion_proof(session, index, size) == merkle.inclusion_proof(
            index, leaves[:size]
        ), (index, size)
    batch = log.inclusion_proofs(session, sorted(indexes), size)
    assert batch == {i: merkle.inclusion_proof(i, leaves[:size]) for i in indexes}


def test_proofs_equal_the_pure_ones_while_the_log_grows_and_the_cache_follows(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas: list[bytes] = []
    for batch in (300, 1, 211, 512, 7, 1024, 999):
        new = [record(len(datas) + i) for i in range(batch)]
        with sessions.begin() as session:
            log.append_many(session, new)
        datas += new
        leaves = [merkle.leaf_hash(d) for d in datas]
        with sessions() as session:
            # The current tree, and older trees the cache already holds more than enough of.
            for size in {len(datas), len(datas) - batch + 1, 257, 4}:
                if size <= len(datas):
                    _check_proofs(session, log, leaves, size)
        assert log._upper.nodes_held() == _upper_count(len(datas))
    assert len(datas) == 3054
    # 3054 = 2048 + 512 + 256 + 238, and 238 = 128 + 64 + 32 + 8 + 4 + 2 (six lower nodes)
    assert _upper_count(3054, lowest=8) == 11 + 5 + 2 + 1 + 6


def test_a_transaction_that_appended_takes_nothing_into_the_cache(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    first = fill(sessions, log, 600)
    with sessions() as session:
        uncommitted = [b"rolled back %d" % i for i in range(700)]
        log.append_many(session, uncommitted)
        leaves = [merkle.leaf_hash(d) for d in first + uncommitted]
        # Its own proofs are right (read from the rows it sees) but nothing is cached from them.
        _check_proofs(session, log, leaves, 1300)
        assert log._upper.nodes_held() == 0
        session.rollback()
    kept = [b"kept %d" % i for i in range(700)]
    with sessions.begin() as session:
        log.append_many(session, kept)
    with sessions() as session:
        _check_proofs(session, log, [merkle.leaf_hash(d) for d in first + kept], 1300)
    assert log._upper.nodes_held() == _upper_count(1300)


def test_a_log_rolled_back_and_regrown_differently_is_forgotten_and_read_again(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    old = fill(sessions, log, 1100)
    with sessions() as session:
        _check_proofs(session, log, [merkle.leaf_hash(d) for d in old], 1100)
    held = log._upper.nodes_held()
    assert held == _upper_count(1100)
    # Rolled back behind the service's back to 300 leaves (a restore, a lagging replica).
    with sessions.begin() as session:
        session.execute(text('DELETE FROM log_leaves WHERE "index" >= 300'))
        session.execute(text('DELETE FROM log_nodes WHERE ("index" + 1) * power(2, level) > 300'))
        session.execute(text("UPDATE log_state SET size = 300"))
    with sessions() as session:
        # As for a reader whose snapshot is older: what is held is right for its tree.
        assert log.size(session) == 300
        _check_proofs(session, log, [merkle.leaf_hash(d) for d in old[:300]], 300)
        assert log._upper.nodes_held() == held
    # Grown again, differently, past what was seen: the held edge of 1,100 leaves is checked
    # as the cache follows, found changed, and everything is read again.
    new = [b"other %d" % i for i in range(801)]
    with sessions.begin() as session:
        log.append_many(session, new)
    leaves = [merkle.leaf_hash(d) for d in old[:300] + new]
    with sessions() as session:
        index = 700
        assert log.inclusion_proof(session, index, 1101) == merkle.inclusion_proof(index, leaves)
        _check_proofs(session, log, leaves, 1101)
    assert log._upper.nodes_held() == _upper_count(1101)


def test_a_reader_on_an_older_snapshot_keeps_what_is_held(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = fill(sessions, log, 5000)
    leaves = [merkle.leaf_hash(d) for d in datas]
    reads = make_read_sessionmaker(sessions.kw["bind"])
    with reads.begin() as behind:
        _check_proofs(behind, log, leaves, 5000)  # its snapshot: 5,000 leaves
        more = [record(5000 + i) for i in range(100)]
        with sessions.begin() as session:
            log.append_many(session, more)
        with reads.begin() as ahead:
            _check_proofs(ahead, log, leaves + [merkle.leaf_hash(d) for d in more], 5100)
        held = log._upper.nodes_held()
        assert held == _upper_count(5100)
        _check_proofs(behind, log, leaves, 5000)
        assert log._upper.nodes_held() == held


def test_a_missing_node_fails_only_the_proofs_that_need_it(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = fill(sessions, log, 600)
    leaves = [merkle.leaf_hash(d) for d in datas]
    with sessions.begin() as session:
        session.execute(text('DELETE FROM log_nodes WHERE level = 4 AND "index" = 1'))
    with sessions() as session:
        # Node (4, 1) covers leaves 16-31: leaf 5's path needs it; 590's and 40's do not (40's
        # needs (5, 0), which is stored).
        assert log.inclusion_proofs(session, [590, 300, 40], 600) == {
            i: merkle.inclusion_proof(i, leaves) for i in (590, 300, 40)
        }
        with pytest.raises(LookupError, match=r"\(4, 1\)"):
            log.inclusion_proof(session, 5, 600)
        assert log.inclusion_proof(session, 590, 600) == merkle.inclusion_proof(590, leaves)


def test_many_leaves_proved_at_once_span_several_statements(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = fill(sessions, log, 8000)
    leaves = [merkle.leaf_hash(d) for d in datas]
    indexes = list(range(3, 8000, 17))  # 470 leaves in as many blocks: over 200 ranges
    with sessions() as session:
        assert log.inclusion_proofs(session, indexes, 8000) == {
            i: merkle.inclusion_proof(i, leaves) for i in indexes
        }


def test_roots_and_consistency_read_the_database_not_the_cache(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = fill(sessions, log, 1024)
    leaves = [merkle.leaf_hash(d) for d in datas]
    with sessions() as session:
        _check_proofs(session, log, leaves, 1024)
    with sessions.begin() as session:
        session.execute(
            text('UPDATE log_nodes SET hash = :h WHERE level = 8 AND "index" = 2'),
            {"h": bytes(32)},
        )
    with sessions() as session:
        # What verification reads (the tree of 768 leaves is nodes (9, 0) and (8, 2)) sees the
        # damage at once ...
        assert log.root(session, 768) != merkle.root_hash(leaves[:768])
        assert log.consistency_proof(session, 512, 768) != merkle.consistency_proof(
            512, leaves[:768]
        )
        # ... while proofs keep the node as it was committed and cached.
        _check_proofs(session, log, leaves, 1024)


def test_a_missing_lower_node_is_named(sessions: sessionmaker[Session], log: StoredLog) -> None:
    fill(sessions, log, 600)
    with sessions.begin() as session:
        session.execute(text('DELETE FROM log_nodes WHERE level = 0 AND "index" = 516'))
    with sessions() as session, pytest.raises(LookupError, match=r"\(0, 516\)"):
        log.inclusion_proof(session, 517, 600)


def test_a_proof_is_one_statement_of_one_range_and_the_size(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = fill(sessions, log, 5000)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    with sessions() as session:
        log.inclusion_proof(session, 1, 5000)  # the first proof in a process fills the cache
        assert log._upper.nodes_held() == _upper_count(5000)
        bind = session.get_bind()
        event.listen(bind, "before_cursor_execute", count)
        try:
            proof = log.inclusion_proof(session, 4321, 5000)
        finally:
            event.remove(bind, "before_cursor_execute", count)
    assert proof == merkle.inclusion_proof(4321, [merkle.leaf_hash(d) for d in datas])
    # One statement: the block of 16 leaf hashes around leaf 4321, and the log's size. Levels
    # 4 and up, and the right edge's lower nodes (5000 = 4096 + 512 + 256 + 128 + 8), come
    # from memory.
    assert len(statements) == 1
    assert statements[0].count("BETWEEN") == 1
    assert "log_state" in statements[0]


def test_a_log_past_the_memory_budget_keeps_higher_levels_only(
    sessions: sessionmaker[Session],
) -> None:
    log = StoredLog(lambda: FIXED, proof_cache_bytes=2000)
    datas: list[bytes] = []
    lowest = []
    for batch in (100, 400, 12, 2500):
        new = [record(len(datas) + i) for i in range(batch)]
        with sessions.begin() as session:
            log.append_many(session, new)
        datas += new
        with sessions() as session:
            _check_proofs(session, log, [merkle.leaf_hash(d) for d in datas], len(datas))
        lowest.append(log._upper.lowest)
        assert log._upper.lowest == cached_from(len(datas), 2000)
        assert log._upper.nodes_held() == _upper_count(len(datas), log._upper.lowest)
    # 64 bytes a node of the lowest level: 2000 bytes hold levels from 4 up to 500 leaves.
    assert lowest == [4, 4, 8, 8]


def test_a_fresh_process_fills_the_levels_a_bounded_part_per_proof(
    sessions: sessionmaker[Session], log: StoredLog
) -> None:
    datas = fill(sessions, log, 3054)
    leaves = [merkle.leaf_hash(d) for d in datas]
    log._upper = UpperLevels(fill_rows=40)
    held = [0]
    with sessions() as session:
        for index in range(1000, 1020):
            proof = log.inclusion_proof(session, index, 3054)
            assert proof == merkle.inclusion_proof(index, leaves), index
            held.append(log._upper.nodes_held())
            if log._upper.complete_for(3054):
                break
    steps = [b - a for a, b in itertools.pairwise(held)]
    # 40 nodes a proof (the highest levels first), the edge's 3 lower nodes with the first;
    # 374 nodes from level 4 up in ten proofs.
    assert steps[0] == 43
    assert all(step <= 40 for step in steps[1:])
    assert held[-1] == _upper_count(3054)
    assert len(steps) == 10
