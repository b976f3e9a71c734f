"""The tree's upper levels in process memory, so a cold proof reads one short range of rows.

Why: the node rows are keyed `(level, index)`, so each level of a proof lives in its own part
of the B-tree, and a proof from a cold disk read about 24 rows in as many searches (3.8 ms at
10M leaves, against a goal of 1 ms); on this machine's disk a random 4 KiB read costs 60-180
us, and each search reads about three pages. Two facts make most of that unnecessary:

- A complete node never changes. The nodes from level 4 up are 1/8 of the rows; held as one
  `bytearray` per level (32 bytes a node, about 4 bytes a leaf: 40 MB at 10M leaves), a proof
  finds all but its lowest four levels without reading the disk. A process spends at most
  `budget` bytes (64 MiB by default): a log too large for that keeps levels from 8 up (a
  quarter byte a leaf: 64 MiB covers 268M leaves), then from 12, and so on.
- A node below the lowest held level is the root of 2, 4 or 8 nodes at the bottom of its band
  of four levels, and the siblings on one leaf's path in a band are disjoint parts of one
  aligned block of 16 nodes: a band costs one range read and at most 15 hashes, not four
  point lookups. A proof in a log of any size that fits the budget reads one range.

The right edge of the latest tree (at most a few lower nodes, complete and so immutable too)
is held as well. The cache is filled only from committed state: never in a transaction that
appended (its own nodes could still be rolled back), and it is dropped if the log is found
smaller than what it holds (a rolled-back database). Verification (`verify.py`), roots and
consistency proofs read the database, so the cache can never vouch for the stored tree.
"""

import functools
import threading
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from databorder.ledger.merkle import HASH_SIZE, Node, range_nodes, root_hash

__all__ = [
    "BAND",
    "DEFAULT_BUDGET",
    "UpperLevels",
    "cached_from",
    "missing_node",
    "read_nodes",
]

BAND = 4  # lower nodes are hashed up from blocks of 2**BAND nodes at levels 0, 4, ...
DEFAULT_BUDGET = 64 * 1024 * 1024


def cached_from(size: int, budget: int) -> int:
    """The lowest level (a multiple of BAND) whose nodes and those above fit in `budget` bytes
    for a tree of `size` leaves (about 64 * size / 2**level bytes)."""
    level = BAND
    while (size >> level) * 2 * HASH_SIZE > budget:
        level += BAND
    return level


_APPENDED = "databorder.ledger.appended_in"
# Bound one query's OR list (SQLite parses it as a chain with a depth limit of 1000); one
# proof needs about 4 ranges, the audit's evidence pack proves many leaves at once.
_CHUNK = 200
# Nodes one refresh reads at most: filling 10M leaves' levels from 4 up (1.25M rows) is spread
# over about 20 proofs.
FILL_ROWS = 65_536


def mark_appended(session: Session) -> None:
    """Record that `session`'s current transaction appended (its nodes are not yet committed)."""
    session.info[_APPENDED] = session.get_transaction()


def _appended(session: Session) -> bool:
    marked = session.info.get(_APPENDED)
    return marked is not None and marked is session.get_transaction()


@functools.cache
def _ranges_query(count: int, with_size: bool) -> TextClause:
    """Rows of `count` key ranges in one query (SQLite and PostgreSQL both search each range),
    and with `with_size` the log's size as a row `(-1, size, NULL)`: a proof then costs one
    statement, and on a cold cache one read of the small tables' pages."""
    terms = " OR ".join(
        f'(level = :l{n} AND "index" BETWEEN :a{n} AND :b{n})' for n in range(count)
    )
    sql = f'SELECT level, "index", hash FROM log_nodes WHERE {terms}'  # noqa: S608
    if with_size:
        sql += " UNION ALL SELECT -1, size, NULL FROM log_state WHERE id = 1"
        if not count:
            sql = "SELECT -1, size, NULL FROM log_state WHERE id = 1"
    return text(sql)


def _merged(ranges: Iterable[tuple[int, int, int]]) -> list[list[int]]:
    """Ranges of a level less than a block apart merged into one: a path's siblings leave a
    gap of one node (the path's own) in their block, and a few rows more cost less than
    another range search."""
    merged: list[list[int]] = []
    for level, first, last in sorted(ranges):
        if merged and merged[-1][0] == level and first <= merged[-1][2] + (1 << BAND):
            merged[-1][2] = max(merged[-1][2], last)
        else:
            merged.append([level, first, last])
    return merged


def _read(
    session: Session, ranges: Iterable[tuple[int, int, int]], with_size: bool
) -> tuple[int, dict[Node, bytes]]:
    merged = _merged(ranges)
    found: dict[Node, bytes] = {}
    size = 0
    if not merged and not with_size:
        return size, found
    connection = session.connection()  # Core, not the ORM: this is the proofs' hot path
    for start in range(0, max(len(merged), 1), _CHUNK):
        chunk = merged[start : start + _CHUNK]
        params: dict[str, Any] = {}
        for n, (level, first, last) in enumerate(chunk):
            params[f"l{n}"], params[f"a{n}"], params[f"b{n}"] = level, first, last
        # The size with the first chunk: on PostgreSQL each statement sees what is committed
        # when it starts, and the log only grows, so later chunks hold every node of that size.
        for level, index, hashed in connection.execute(
            _ranges_query(len(chunk), with_size and start == 0), params
        ):
            if level < 0:
                size = index
            else:
                found[(level, index)] = hashed
    return size, found


def read_ranges(session: Session, ranges: Iterable[tuple[int, int, int]]) -> dict[Node, bytes]:
    """Stored node hashes of the ranges `(level, first, last)`, inclusive."""
    return _read(session, ranges, with_size=False)[1]


def missing_node(node: Node) -> LookupError:
    return LookupError(
        f"log node row missing: (level, index) = {node}; run `databorder log verify`"
    )


class UpperLevels:
    """Complete nodes from level `cached_from(size, budget)` up, and the lower nodes of the
    right edge of the latest tree seen, filled from committed rows as needed."""

    def __init__(self, budget: int = DEFAULT_BUDGET, fill_rows: int = FILL_ROWS) -> None:
        self._budget = budget
        self._fill_rows = fill_rows
        # The lowest held level, and from it one array per level (node i at bytes 32i..32i+32):
        # one attribute, replaced whole, so a reader never pairs a level with another's array.
        self._held: tuple[int, list[bytearray]] = (BAND, [])
        self._edge: dict[Node, bytes] = {}
        self._seen = 0  # the largest committed size seen: everything held is of trees up to it
        self._filled = 0  # the size everything is held for (behind `_seen` while filling)
        self._lock = threading.Lock()

    def complete_for(self, size: int) -> bool:
        """Whether everything a tree of `size` leaves could take from here is held."""
        return size == self._filled

    @property
    def lowest(self) -> int:
        return self._held[0]

    def nodes_held(self) -> int:
        return sum(len(level) for level in self._held[1]) // HASH_SIZE + len(self._edge)

    def covers(self, size: int) -> bool:
        """Whether every complete node from the lowest held level up, of a tree of `size`
        leaves, is held."""
        lowest, levels = self._held
        level = lowest
        while size >> level:
            offset = level - lowest
            if offset >= len(levels) or len(levels[offset]) < (size >> level) * HASH_SIZE:
                return False
            level += 1
        return True

    def get(self, node: Node) -> bytes | None:
        """The held hash of `node`; None for a node below the held levels and off the edge."""
        level, index = node
        lowest, levels = self._held
        if level < lowest:
            return self._edge.get(node)
        if level - lowest >= len(levels):
            return None
        hashed = bytes(levels[level - lowest][index * HASH_SIZE : (index + 1) * HASH_SIZE])
        return hashed if len(hashed) == HASH_SIZE else None

    def refresh(self, session: Session, current: int) -> bool:
        """Follow the log to `current` leaves (its committed size as `session` sees it) and
        say whether what was held had to be forgotten (the caller then reads its proof again).

        A reader may see an older size than one seen before (its snapshot began earlier): what
        is held is still right for it, and nothing is done. When the log has grown, the fill
        also reads the held right edge of the largest tree seen: a database rolled back and
        regrown differently (a restore, a failover to a lagging replica) no longer has those
        nodes, and everything held is forgotten. Nothing is filled from a transaction that
        appended (what it sees is not committed), and a proof never waits for another's fill.
        """
        if current <= self._filled or current < self._seen or _appended(session):
            return False
        if not self._lock.acquire(blocking=False):
            return False
        try:
            lowest, levels = self._held
            wanted = cached_from(current, self._budget)
            if wanted > lowest:  # grown past the budget: let the lower levels go
                self._held = (wanted, levels[wanted - lowest :])
            return self._fill(session, current)
        finally:
            self._lock.release()

    def _fill(self, session: Session, size: int) -> bool:
        """Read up to `fill_rows` missing nodes, highest levels first (a fresh process at 10M
        leaves needs 1.25M: about 20 proofs pay a part each, none pays seconds), the edge, and
        the held edge of the largest tree seen to check it. A level stops at a missing row
        (a damaged log): proofs that do not need it are still served."""
        lowest, levels = self._held
        top = size.bit_length() - 1  # the highest level with a complete node
        fills: list[tuple[int, int, int]] = []
        room = self._fill_rows
        for level in range(top, lowest - 1, -1):
            offset = level - lowest
            have = len(levels[offset]) // HASH_SIZE if offset < len(levels) else 0
            need = size >> level
            if have < need and room > 0:
                last = min(need, have + room) - 1
                fills.append((level, have, last))
                room -= last - have + 1
        checked: dict[Node, bytes] = {}
        for node in range_nodes(0, self._seen):
            held = self.get(node)
            if held is not None:
                checked[node] = held
        edge = [node for node in range_nodes(0, size) if node[0] < lowest]
        found = read_ranges(
            session, [*fills, *((level, index, index) for level, index in (*edge, *checked))]
        )
        if any(node in found and found[node] != held for node, held in checked.items()):
            self._held, self._edge = (self._held[0], []), {}
            self._seen = self._filled = 0
            self._fill(session, size)
            return True
        while len(levels) < top - lowest + 1:
            levels.append(bytearray())
        # Existing arrays grow in place by whole nodes, which readers see whole: a node past an
        # array's end reads as not held.
        for level, first, last in fills:
            array = levels[level - lowest]
            for index in range(first, last + 1):
                hashed = found.get((level, index))
                if hashed is None:
                    break  # a missing row: the level stops here
                array += hashed
        self._edge = {node: found[node] for node in edge if node in found}
        self._seen = size
        if self.covers(size):
            self._filled = size
        return False


def read_nodes(
    session: Session, wanted: Iterable[Node], upper: UpperLevels
) -> tuple[int, dict[Node, bytes], Node | None]:
    """The log's size, the hashes of `wanted` complete nodes, and the first that is missing
    (the caller checks the size first: a node of a tree larger than the log is no damage).

    Held nodes come from `upper`; the others below the held levels are hashed up from their
    band's base level, all read in one statement with the size."""
    found: dict[Node, bytes] = {}
    derived: list[tuple[Node, int, int, int]] = []
    for node in set(wanted):
        level, index = node
        held = upper.get(node)
        if held is not None:
            found[node] = held
            continue
        # Below the held levels, the node's band is read as one block; at a held level a node
        # not yet held (a fresh process, a damaged row) is read as itself.
        base = level if level >= upper.lowest else level - level % BAND
        shift = level - base
        derived.append((node, base, index << shift, ((index + 1) << shift) - 1))
    size, rows = _read(
        session, ((base, first, last) for _, base, first, last in derived), with_size=True
    )
    for node, base, first, last in derived:
        block = [rows.get((base, i)) for i in range(first, last + 1)]
        if None in block:
            return size, found, (base, first + block.index(None))
        hashes = cast(list[bytes], block)
        found[node] = hashes[0] if len(hashes) == 1 else root_hash(hashes)
    return size, found, None
