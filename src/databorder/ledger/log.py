"""The stored log: leaves and complete-subtree hashes as rows, inside the caller's transaction.

The gateway appends a disclosure's leaf in the same transaction as the disclosure row, so
nothing here commits or flushes on its own: if the caller rolls back, the leaf and its nodes
were never appended. Roots and proofs are read from stored node rows, at most about
2 * log2(n) rows in one query, never by rehashing leaves; the range arithmetic is the pure
module's, so stored and pure proofs cannot drift apart.
"""

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, TextClause, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from databorder.errors import FieldProblem, InvalidInput, NotFound
from databorder.ledger.merkle import (
    EMPTY_ROOT,
    Node,
    Range,
    consistency_ranges,
    fold_frontier,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    range_nodes,
)
from databorder.ledger.models import LogLeaf, LogNode, LogRecord, LogState
from databorder.ledger.private import SALT_BYTES, is_private, private_leaf
from databorder.ledger.tiles import MAX_ENTRY_BYTES, Tile, entry_bundle, tile_width
from databorder.ledger.upper import (
    DEFAULT_BUDGET,
    UpperLevels,
    mark_appended,
    missing_node,
    read_nodes,
)
from databorder.store.query import insert_rows

# Bound the OR list of one node lookup (SQLite parses it as a chain, with a depth limit of
# 1000); a proof needs far fewer (about 2 * log2(n)).
_LOOKUP_CHUNK = 200


_LEAVES = cast(Table, LogLeaf.__table__)
_NODES = cast(Table, LogNode.__table__)
_RECORDS = cast(Table, LogRecord.__table__)


_SIZE = select(LogState.size).where(LogState.id == 1)


@functools.cache
def _lookup(count: int) -> TextClause:
    """The node lookup for `count` keys, built once per count: on the proof path, building a
    SQLAlchemy expression per call cost more than the query. An OR of key equalities, not a
    row-value IN, because SQLite plans the IN as a table scan and the ORs as key searches."""
    terms = " OR ".join(f'(level = :l{n} AND "index" = :i{n})' for n in range(count))
    return text(f'SELECT level, "index", hash FROM log_nodes WHERE {terms}')  # noqa: S608


def _invalid(field: str, reason: str) -> InvalidInput:
    return InvalidInput([FieldProblem(field, reason)])


def frontier_nodes(size: int) -> list[Node]:
    """The complete subtrees `(level, index)` of a tree of `size` leaves, largest first."""
    return range_nodes(0, size)


class StoredLog:
    """The disclosure log in the database; `clock` stamps leaf rows (not hashed).

    The clock is the runtime's (`runtime.build` passes it): no default, so nothing here reads
    the wall clock behind the composition root's back.
    """

    def __init__(
        self, clock: Callable[[], datetime], proof_cache_bytes: int = DEFAULT_BUDGET
    ) -> None:
        self._clock = clock
        # Inclusion proofs' upper nodes, from committed rows (`upper.py`).
        self._upper = UpperLevels(proof_cache_bytes)

    # --- reading ---------------------------------------------------------------------------

    def size(self, session: Session) -> int:
        return session.execute(_SIZE).scalar_one_or_none() or 0

    def nodes(self, session: Session, wanted: Iterable[Node]) -> dict[Node, bytes]:
        """Stored hashes of `wanted` nodes; raises if one is missing (a damaged log, not a proof)."""
        keys = sorted(set(wanted))
        found: dict[Node, bytes] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            params = {}
            for n, (level, index) in enumerate(chunk):
                params[f"l{n}"] = level
                params[f"i{n}"] = index
            rows = session.execute(_lookup(len(chunk)), params)
            found.update({(level, index): hashed for level, index, hashed in rows})
        if len(found) != len(keys):
            missing = [k for k in keys if k not in found]
            raise LookupError(
                f"log node rows missing: expected {len(keys)} nodes, found {len(found)}; "
                f"first missing (level, index) = {missing[0]}; run `databorder log verify`"
            )
        return found

    def _hashes(self, session: Session, ranges: Sequence[Range]) -> list[bytes]:
        parts = [range_nodes(start, end) for start, end in ranges]
        stored = self.nodes(session, (node for part in parts for node in part))
        return [fold_frontier([stored[node] for node in part]) for part in parts]

    def _require_size(self, session: Session, field: str, tree_size: int) -> None:
        current = self.size(session)
        if not 0 <= tree_size <= current:
            raise _invalid(
                field, f"must be between 0 and the log's size {current}, got {tree_size}"
            )

    def _check_index(self, session: Session, index: int, tree_size: int) -> None:
        """A bad index names `index`, unless `tree_size` is bad too (it is named first, as
        for every proof); only a refused request pays the extra read of the size."""
        if 0 <= index < tree_size < 2**63:
            return
        self._require_size(session, "tree_size", tree_size)
        raise _invalid(
            "index", f"must be between 0 and tree_size - 1 = {tree_size - 1}, got {index}"
        )

    def _proof_nodes(
        self, session: Session, wanted: Iterable[Node], tree_size: int
    ) -> dict[Node, bytes]:
        """Inclusion proofs' nodes, the upper levels from memory (`upper.py`) and the rest with
        the log's size in one statement; raises unless `tree_size` is within the log."""
        wanted = set(wanted)
        upper = self._upper
        current, found, missing = read_nodes(session, wanted, upper)
        if not 0 <= tree_size <= current:
            raise _invalid(
                "tree_size", f"must be between 0 and the log's size {current}, got {tree_size}"
            )
        if upper.refresh(session, current):  # what was held was another tree's: read again
            current, found, missing = read_nodes(session, wanted, upper)
        if missing is not None:
            raise missing_node(missing)
        return found

    def root(self, session: Session, tree_size: int | None = None) -> bytes:
        if tree_size is None:
            tree_size = self.size(session)
        else:
            self._require_size(session, "tree_size", tree_size)
        if tree_size == 0:
            return EMPTY_ROOT
        return self._hashes(session, [(0, tree_size)])[0]

    def inclusion_proof(self, session: Session, index: int, tree_size: int) -> list[bytes]:
        """The audit path of leaf `index` in the tree of the first `tree_size` leaves."""
        self._check_index(session, index, tree_size)
        parts = [range_nodes(start, end) for start, end in inclusion_ranges(index, tree_size)]
        stored = self._proof_nodes(session, (node for part in parts for node in part), tree_size)
        return [fold_frontier([stored[node] for node in part]) for part in parts]

    def inclusion_proofs(
        self, session: Session, indexes: Sequence[int], tree_size: int
    ) -> dict[int, list[bytes]]:
        """The audit paths of many leaves in one tree, their nodes read in one batch (the
        audit's evidence pack proves every leaf its findings cite)."""
        for index in indexes:
            self._check_index(session, index, tree_size)
        ranges = {i: inclusion_ranges(i, tree_size) for i in dict.fromkeys(indexes)}
        parts = {i: [range_nodes(a, b) for a, b in r] for i, r in ranges.items()}
        stored = self._proof_nodes(
            session, (n for part in parts.values() for nodes in part for n in nodes), tree_size
        )
        return {
            i: [fold_frontier([stored[n] for n in nodes]) for nodes in part]
            for i, part in parts.items()
        }

    def consistency_proof(self, session: Session, first: int, second: int) -> list[bytes]:
        """Proof that the tree of `first` leaves is a prefix of the tree of `second` leaves."""
        self._require_size(session, "second", second)
        if not 0 <= first <= second:
            raise _invalid("first", f"must be between 0 and second = {second}, got {first}")
        return self._hashes(session, consistency_ranges(first, second))

    def leaf(self, session: Session, index: int) -> LogLeaf:
        row = session.get(LogLeaf, index)
        if row is None or index >= self.size(session):
            raise NotFound("log leaf", str(index))
        return row

    def tile(self, session: Session, tile: Tile) -> bytes:
        """A C2SP tile's bytes: stored hashes of tree level 8·L, one range read, no hashing.

        Raises NotFound unless the log holds all `tile.width` of them (a tile is served only
        once complete at its width; a wider one replaces it as the log grows).
        """
        available = tile_width(tile, self.size(session))
        if tile.width > available:
            raise NotFound("log tile", tile.path)
        span = (tile.first, tile.first + tile.width - 1)
        if tile.level is None:
            query = select(LogLeaf.data).where(LogLeaf.index.between(*span))
            found = list(session.execute(query.order_by(LogLeaf.index)).scalars())
        else:
            query = select(LogNode.hash).where(
                LogNode.level == tile.tree_level, LogNode.index.between(*span)
            )
            found = list(session.execute(query.order_by(LogNode.index)).scalars())
        if len(found) != tile.width:
            raise LookupError(
                f"log rows missing for {tile.path}: expected {tile.width}, found {len(found)}; "
                "run `databorder log verify`"
            )
        if tile.level is None:
            if not all(is_private(data) for data in found):
                # A leaf appended before private leaves carries its whole record.
                raise NotFound("log entry bundle of private leaves", tile.path)
            return entry_bundle(found)
        return b"".join(found)

    # --- appending -------------------------------------------------------------------------

    def _lock_size(self, session: Session) -> int:
        """The current size, with the state row locked until the caller's transaction ends."""
        locked = select(LogState.size).where(LogState.id == 1).with_for_update()
        size = session.execute(locked).scalar_one_or_none()
        if size is None:
            # First append ever: create the row; a concurrent first append must not fail on it.
            dialect = session.get_bind().dialect.name
            values = {"id": 1, "size": 0}
            if dialect == "postgresql":
                session.execute(postgresql.insert(LogState).values(values).on_conflict_do_nothing())
            elif dialect == "sqlite":
                session.execute(sqlite.insert(LogState).values(values).on_conflict_do_nothing())
            else:
                session.execute(insert(LogState).values(values))
            size = session.execute(locked).scalar_one()
        return size

    def append_records(self, session: Session, records: Sequence[Mapping[str, Any]]) -> list[int]:
        """Append a private leaf for each record (its commitment, `private.py`) and keep the
        record with its random salt beside it (`log_records`); returns the leaf indexes."""
        pool = os.urandom(SALT_BYTES * len(records))  # one system call for the batch
        salts = [pool[i : i + SALT_BYTES] for i in range(0, len(pool), SALT_BYTES)]
        opened = [private_leaf(record, salt) for record, salt in zip(records, salts, strict=True)]
        indexes = self.append_many(session, [leaf for leaf, _ in opened])
        insert_rows(
            session,
            _RECORDS,
            [
                {"leaf_index": index, "salt": salt, "record": data}
                for index, salt, (_, data) in zip(indexes, salts, opened, strict=True)
            ],
        )
        return indexes

    def opening(self, session: Session, index: int) -> LogRecord | None:
        """The record leaf `index` commits to, with its salt; None once erased (or never kept)."""
        return session.get(LogRecord, index)

    def append(self, session: Session, data: bytes) -> int:
        """Append one leaf; returns its index. Does not commit: the caller's transaction does."""
        return self.append_many(session, [data])[0]

    def append_many(self, session: Session, datas: Sequence[bytes]) -> list[int]:
        """Append leaves in order; returns their indexes. One insert each for leaves and nodes."""
        if not datas:
            return []
        size = self._lock_size(session)
        stack = [
            (level, hashed)
            for (level, _), hashed in zip(
                frontier_nodes(size), self._frontier_hashes(session, size), strict=True
            )
        ]
        for data in datas:
            if len(data) > MAX_ENTRY_BYTES:  # a C2SP entry bundle prefixes each with a uint16
                raise ValueError(f"log leaf is {len(data)} bytes, over {MAX_ENTRY_BYTES}")
        now = self._clock()
        leaves: list[dict[str, Any]] = []
        nodes: list[dict[str, Any]] = []
        for index, data in enumerate(datas, start=size):
            hashed = leaf_hash(data)
            leaves.append({"index": index, "leaf_hash": hashed, "data": data, "created_at": now})
            nodes.append({"level": 0, "index": index, "hash": hashed})
            level = 0
            # A subtree of the same level on the stack is this one's left sibling: close it.
            while stack and stack[-1][0] == level:
                hashed = node_hash(stack.pop()[1], hashed)
                level += 1
                nodes.append({"level": level, "index": index >> level, "hash": hashed})
            stack.append((level, hashed))
        # One executemany per table through the driver, without per-row ORM or Core bookkeeping.
        insert_rows(session, _LEAVES, leaves)
        insert_rows(session, _NODES, nodes)
        session.execute(update(LogState).where(LogState.id == 1).values(size=size + len(datas)))
        mark_appended(session)
        return list(range(size, size + len(datas)))

    def _frontier_hashes(self, session: Session, size: int) -> list[bytes]:
        wanted = frontier_nodes(size)
        stored = self.nodes(session, wanted)
        return [stored[node] for node in wanted]
