"""Rows edited directly in the database are found and named by their first bad index.

Each test builds a 20-leaf log with signed heads at sizes 12 and 20, edits it with plain SQL
the way someone with database access would, and checks what `verify_log` reports (the command
that prints it, `databorder log verify`, is tested in tests/cli/test_log.py).
"""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ledger_factories import fill, record
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger import merkle
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import HeadSigner
from databorder.ledger.verify import Defect, Verdict, VerifyResult, verify_log


@pytest.fixture
def signed_log(sessions: sessionmaker[Session], log: StoredLog, signer: HeadSigner) -> list[bytes]:
    datas = fill(sessions, log, 12)
    with sessions.begin() as session:
        signer.sign(session)
        log.append_many(session, [record(i) for i in range(12, 20)])
        datas += [record(i) for i in range(12, 20)]
        signer.sign(session)
    return datas


def tamper(sessions: sessionmaker[Session], *statements: str) -> None:
    with sessions.begin() as session:
        for statement in statements:
            session.execute(text(statement))


def forge_leaf(sessions: sessionmaker[Session], index: int, data: bytes) -> None:
    """Overwrite a leaf's data directly, with the bytes bound (portable across databases)."""
    with sessions.begin() as session:
        session.execute(
            text('UPDATE log_leaves SET data = :data WHERE "index" = :index'),
            {"data": data, "index": index},
        )


def check(sessions: sessionmaker[Session], signer: HeadSigner) -> VerifyResult:
    with sessions() as session:
        return verify_log(session, signer.public_key, signer.log)


def test_an_untouched_log_verifies_against_both_heads(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    result = check(sessions, signer)
    assert result.verdict is Verdict.INTACT
    assert result.tree_size == 20
    assert result.heads_checked == 2
    assert result.first_bad_index is None
    assert result.explain() == (
        "log intact: 20 leaves, every node recomputed, 2 signed head(s) checked"
    )


def test_a_log_without_heads_says_only_its_structure_was_checked(
    sessions: sessionmaker[Session], log: StoredLog, signer: HeadSigner
) -> None:
    fill(sessions, log, 5)
    result = check(sessions, signer)
    assert result.ok
    assert result.notes == (
        "no signed tree head yet: only the log's internal consistency was checked",
    )


def test_changed_leaf_data_is_found_at_its_index(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    forge_leaf(sessions, 7, b'{"n":"forged"}')
    result = check(sessions, signer)
    assert result.verdict is Verdict.TAMPERED
    assert result.first_bad_index == 7
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.LEAF_CHANGED, 7)]
    assert "its data changed" in result.problems[0].detail


def test_a_leaf_rewritten_with_a_matching_hash_is_still_found(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    forged = b'{"n":"forged"}'
    with sessions.begin() as session:
        session.execute(
            text('UPDATE log_leaves SET data = :d, leaf_hash = :h WHERE "index" = 7'),
            {"d": forged, "h": merkle.leaf_hash(forged)},
        )
    result = check(sessions, signer)
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.LEAF_CHANGED, 7)]
    assert "rewritten together with its leaf_hash" in result.problems[0].detail


def test_an_altered_leaf_hash_column_alone_is_found(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    with sessions.begin() as session:
        session.execute(
            text('UPDATE log_leaves SET leaf_hash = :h WHERE "index" = 2'), {"h": b"\x00" * 32}
        )
    result = check(sessions, signer)
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.LEAF_HASH_CHANGED, 2)]


def test_a_deleted_leaf_is_found(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    tamper(sessions, 'DELETE FROM log_leaves WHERE "index" = 7')
    result = check(sessions, signer)
    assert result.first_bad_index == 7
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.LEAF_MISSING, 7)]


def test_reordered_leaves_are_found_with_where_they_belong(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    tamper(
        sessions,
        'UPDATE log_leaves SET "index" = 1000 WHERE "index" = 3',
        'UPDATE log_leaves SET "index" = 3 WHERE "index" = 9',
        'UPDATE log_leaves SET "index" = 9 WHERE "index" = 1000',
    )
    result = check(sessions, signer)
    assert result.first_bad_index == 3
    assert [(p.defect, p.index) for p in result.problems] == [
        (Defect.LEAF_MOVED, 3),
        (Defect.LEAF_MOVED, 9),
    ]
    assert result.problems[0].detail == (
        "leaf row 3 holds the leaf the tree places at index 9 (rows reordered)"
    )


def test_a_leaf_appended_outside_the_log_is_found(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    with sessions.begin() as session:
        session.execute(
            text(
                'INSERT INTO log_leaves ("index", leaf_hash, data, created_at) '
                "VALUES (20, :h, :d, '2026-11-23 10:00:00')"
            ),
            {"h": merkle.leaf_hash(b"{}"), "d": b"{}"},
        )
    result = check(sessions, signer)
    assert result.first_bad_index == 20
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.LEAF_INSERTED, 20)]


def test_a_leaf_inserted_in_the_middle_is_found_where_it_was_inserted(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    with sessions.begin() as session:
        session.execute(text('UPDATE log_leaves SET "index" = "index" + 1000 WHERE "index" >= 10'))
        session.execute(text('UPDATE log_leaves SET "index" = "index" - 999 WHERE "index" >= 1000'))
        session.execute(
            text(
                'INSERT INTO log_leaves ("index", leaf_hash, data, created_at) '
                "VALUES (10, :h, :d, '2026-11-23 10:00:00')"
            ),
            {"h": merkle.leaf_hash(b"{}"), "d": b"{}"},
        )
    result = check(sessions, signer)
    assert result.first_bad_index == 10
    assert result.problems[0].defect is Defect.LEAF_CHANGED
    # The shifted rows hold their predecessors' leaves; the last lies beyond the log.
    assert (Defect.LEAF_MOVED, 11) in [(p.defect, p.index) for p in result.problems]
    assert (Defect.LEAF_INSERTED, 20) in [(p.defect, p.index) for p in result.problems]


def test_a_changed_node_row_is_blamed_not_its_parent(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    with sessions.begin() as session:
        session.execute(
            text('UPDATE log_nodes SET hash = :h WHERE level = 2 AND "index" = 1'),
            {"h": b"\x42" * 32},
        )
    result = check(sessions, signer)
    assert result.first_bad_index == 4
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.NODE_CHANGED, 4)]
    assert result.problems[0].detail == (
        "node (level 2, index 1) over leaves 4..7 was altered: "
        "it matches neither its children nor its parent"
    )


def test_a_changed_level_zero_node_is_blamed_not_its_leaf(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    with sessions.begin() as session:
        session.execute(
            text('UPDATE log_nodes SET hash = :h WHERE level = 0 AND "index" = 13'),
            {"h": b"\x42" * 32},
        )
    result = check(sessions, signer)
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.NODE_CHANGED, 13)]


def test_a_deleted_node_row_is_found(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    tamper(sessions, 'DELETE FROM log_nodes WHERE level = 1 AND "index" = 3')
    result = check(sessions, signer)
    assert result.first_bad_index == 6
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.NODE_MISSING, 6)]


def test_an_inserted_node_row_is_found(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    with sessions.begin() as session:
        session.execute(
            text('INSERT INTO log_nodes (level, "index", hash) VALUES (2, 5, :h)'),
            {"h": b"\x42" * 32},
        )
    result = check(sessions, signer)
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.NODE_INSERTED, 20)]


def test_a_consistent_rewrite_is_caught_by_the_heads_and_placed_between_them(
    sessions: sessionmaker[Session], log: StoredLog, signer: HeadSigner, signed_log: list[bytes]
) -> None:
    # Rebuild leaves and every node from scratch with leaf 15 replaced: the stored tree is
    # internally perfect, so only the signed heads can tell.
    forged = list(signed_log)
    forged[15] = b'{"n":"forged"}'
    tamper(sessions, "DELETE FROM log_leaves", "DELETE FROM log_nodes", "DELETE FROM log_state")
    with sessions.begin() as session:
        log.append_many(session, forged)
    result = check(sessions, signer)
    assert result.first_bad_index == 12
    assert [p.defect for p in result.problems] == [Defect.HEAD_ROOT]
    assert "leaves 12..19 were rewritten together with every node above them" in (
        result.problems[0].detail
    )


def test_leaves_cut_from_the_end_are_caught_by_the_latest_head(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    tamper(
        sessions,
        'DELETE FROM log_leaves WHERE "index" >= 18',
        # every node whose leaves reach past the new end
        'DELETE FROM log_nodes WHERE ("index" + 1) << level > 18',
        "UPDATE log_state SET size = 18",
    )
    result = check(sessions, signer)
    assert result.first_bad_index == 18
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.HEAD_BEYOND_LOG, 18)]


def test_an_altered_stored_head_is_found(
    sessions: sessionmaker[Session], signer: HeadSigner, signed_log: list[bytes]
) -> None:
    tamper(sessions, "UPDATE log_heads SET tree_size = 11 WHERE tree_size = 12")
    result = check(sessions, signer)
    assert [p.defect for p in result.problems] == [Defect.HEAD_SIGNATURE]
    assert result.problems[0].detail.startswith(
        "head #1 (tree size 11): head signature does not verify"
    )


def test_an_earlier_head_for_a_forked_tree_is_inconsistent(
    sessions: sessionmaker[Session],
    signing_key: Ed25519PrivateKey,
    signer: HeadSigner,
    signed_log: list[bytes],
) -> None:
    # A correctly signed head over a different history of 12 leaves (a fork shown to someone).
    from databorder.ledger.models import LogHead  # noqa: PLC0415
    from databorder.ledger.signing import sign_head  # noqa: PLC0415

    other = [merkle.leaf_hash(b"other %d" % i) for i in range(12)]
    with sessions.begin() as session:
        latest = signer.latest(session)
        assert latest is not None
        head = sign_head(signing_key, 12, merkle.root_hash(other), latest.timestamp)
        session.execute(text("DELETE FROM log_heads"))
        for h in (head, latest):
            session.add(
                LogHead(
                    tree_size=h.tree_size,
                    root_hash=h.root_hash,
                    timestamp=h.timestamp,
                    key_id=h.key_id,
                    signature=h.signature,
                )
            )
    result = check(sessions, signer)
    assert [(p.defect, p.index) for p in result.problems] == [(Defect.HEAD_INCONSISTENT, 0)]
    assert "consistency proof does not lead to the old root" in result.problems[0].detail
