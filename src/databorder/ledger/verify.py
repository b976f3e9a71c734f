"""Check the whole stored log: leaves against their data, nodes against their children, heads.

Three layers, each checked against the one below, so whatever was edited directly in the
database is caught and placed:
1. every leaf row's data hashes to its stored leaf hash and to the tree's level-0 node;
2. every node is the hash of its two children, level by level up to the frontier;
3. the latest signed head's signature verifies and its root is the stored tree's root at its
   size, and every earlier head is consistent with it (an RFC 9162 consistency proof).

A changed node fails two checks (against its children, and its parent against it), a changed
leaf row only its own; that is how a problem is attributed to the row that was actually edited.
Someone who rewrites a leaf and every node above it consistently is caught only by the signed
heads, and then only placed between the last head that still matches and the first that does
not. Verification never raises on tampering: it returns a result that says what it found.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from databorder.ledger.log import StoredLog
from databorder.ledger.merkle import explain_consistency, leaf_hash, node_hash
from databorder.ledger.models import LogHead, LogLeaf, LogNode, LogState
from databorder.ledger.signing import SignedHead, explain_head

# Rows read per query: bounds memory on a log of any size.
_CHUNK = 50_000
# Past this many, a log is plainly rewritten wholesale; more detail would not help the reader.
_MAX_FINDINGS = 10_000
_MAX_REPORTED = 50
_MAX_MOVE_LOOKUPS = 5


class Verdict(StrEnum):
    INTACT = "intact"
    TAMPERED = "tampered"


class Defect(StrEnum):
    LEAF_CHANGED = "leaf_changed"  # the data no longer hashes to the tree's leaf hash
    LEAF_MOVED = "leaf_moved"  # the row holds the leaf the tree places at another index
    LEAF_HASH_CHANGED = "leaf_hash_changed"  # only the row's leaf_hash column was altered
    LEAF_MISSING = "leaf_missing"  # deleted
    LEAF_INSERTED = "leaf_inserted"  # a row beyond the log's size
    NODE_CHANGED = "node_changed"
    NODE_MISMATCH = "node_mismatch"  # a node disagrees with children that look fine themselves
    NODE_MISSING = "node_missing"
    NODE_INSERTED = "node_inserted"
    STATE_MISSING = "state_missing"
    HEAD_SIGNATURE = "head_signature"
    HEAD_BEYOND_LOG = "head_beyond_log"
    HEAD_ROOT = "head_root"
    HEAD_INCONSISTENT = "head_inconsistent"


@dataclass(frozen=True, slots=True)
class Problem:
    defect: Defect
    index: int | None  # the first leaf index the problem touches, when there is one
    detail: str

    def __str__(self) -> str:
        where = f"index {self.index}: " if self.index is not None else ""
        return f"{where}{self.defect.value}: {self.detail}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    verdict: Verdict
    tree_size: int
    heads_checked: int
    problems: tuple[Problem, ...]  # in order of first bad index; at most _MAX_REPORTED
    problems_total: int
    first_bad_index: int | None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.INTACT

    def explain(self) -> str:
        if self.ok:
            lines = [
                f"log intact: {self.tree_size} leaves, every node recomputed, "
                f"{self.heads_checked} signed head(s) checked"
            ]
        else:
            lines = [
                f"log TAMPERED: first bad index {self.first_bad_index}; "
                f"{self.problems_total} problem(s) in a log of {self.tree_size} leaves"
            ]
            lines += [f"  {p}" for p in self.problems]
            if self.problems_total > len(self.problems):
                lines.append(f"  ... and {self.problems_total - len(self.problems)} more")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class _Findings:
    """Failed checks keyed by node `(level, index)`, before attribution to the edited row."""

    checks: dict[tuple[int, int], str] = field(default_factory=dict)
    # Level-0 failures: the leaf hash computed from the row's data, to find where it belongs.
    leaf_hashes: dict[int, tuple[bytes, bool]] = field(default_factory=dict)
    other: list[Problem] = field(default_factory=list)

    def full(self) -> bool:
        return len(self.checks) + len(self.other) >= _MAX_FINDINGS


def _leaf_range(level: int, index: int) -> str:
    first = index << level
    return f"leaf {first}" if level == 0 else f"leaves {first}..{first + (1 << level) - 1}"


def _check_leaves(session: Session, size: int, found: _Findings) -> None:
    for start in range(0, size, _CHUNK):
        end = min(size, start + _CHUNK)
        rows = {
            index: (hashed, data)
            for index, hashed, data in session.execute(
                select(LogLeaf.index, LogLeaf.leaf_hash, LogLeaf.data).where(
                    LogLeaf.index >= start, LogLeaf.index < end
                )
            )
        }
        tree = dict(
            session.execute(
                select(LogNode.index, LogNode.hash).where(
                    LogNode.level == 0, LogNode.index >= start, LogNode.index < end
                )
            ).all()
        )
        for index in range(start, end):
            if found.full():
                return
            node = tree.get(index)
            if node is None:
                found.other.append(
                    Problem(
                        Defect.NODE_MISSING,
                        index,
                        f"the tree's level-0 node for leaf {index} is missing",
                    )
                )
            row = rows.get(index)
            if row is None:
                found.other.append(
                    Problem(Defect.LEAF_MISSING, index, f"leaf {index} is missing (deleted)")
                )
                continue
            stored, data = row
            computed = leaf_hash(data)
            if node is not None and computed != node:
                found.checks[(0, index)] = "differs from the tree's leaf hash"
                found.leaf_hashes[index] = (computed, computed == stored)
            elif computed != stored:
                found.other.append(
                    Problem(
                        Defect.LEAF_HASH_CHANGED,
                        index,
                        f"the row's leaf_hash column was altered: expected {computed.hex()}, got {stored.hex()}",
                    )
                )


def _check_nodes(session: Session, size: int, found: _Findings) -> None:
    level = 1
    while size >> level:
        count = size >> level
        for start in range(0, count, _CHUNK):
            end = min(count, start + _CHUNK)
            children = dict(
                session.execute(
                    select(LogNode.index, LogNode.hash).where(
                        LogNode.level == level - 1,
                        LogNode.index >= 2 * start,
                        LogNode.index < 2 * end,
                    )
                ).all()
            )
            parents = dict(
                session.execute(
                    select(LogNode.index, LogNode.hash).where(
                        LogNode.level == level, LogNode.index >= start, LogNode.index < end
                    )
                ).all()
            )
            for index in range(start, end):
                if found.full():
                    return
                stored = parents.get(index)
                if stored is None:
                    found.other.append(
                        Problem(
                            Defect.NODE_MISSING,
                            index << level,
                            f"node (level {level}, index {index}) over {_leaf_range(level, index)} is missing",
                        )
                    )
                    continue
                left, right = children.get(2 * index), children.get(2 * index + 1)
                if left is None or right is None:
                    continue  # the missing child is reported at its own level
                if node_hash(left, right) != stored:
                    found.checks[(level, index)] = "is not the hash of its two children"
        level += 1


def _check_inserted(session: Session, size: int, found: _Findings) -> None:
    extra_leaves = session.scalars(
        select(LogLeaf.index)
        .where(or_(LogLeaf.index < 0, LogLeaf.index >= size))
        .order_by(LogLeaf.index)
        .limit(_MAX_REPORTED)
    )
    found.other.extend(
        Problem(
            Defect.LEAF_INSERTED,
            index,
            f"a leaf row at index {index} lies beyond the log's size {size} (inserted)",
        )
        for index in extra_leaves
    )
    levels = size.bit_length() + 1
    clauses = [(LogNode.level == lv) & (LogNode.index >= (size >> lv)) for lv in range(levels)]
    extra_nodes = session.execute(
        select(LogNode.level, LogNode.index)
        .where(or_(LogNode.level >= levels, *clauses))
        .order_by(LogNode.index)
        .limit(_MAX_REPORTED)
    )
    found.other.extend(
        Problem(
            Defect.NODE_INSERTED,
            index << level if level < 64 else None,
            f"node (level {level}, index {index}) lies beyond a tree of {size} leaves (inserted)",
        )
        for level, index in extra_nodes
    )


def _moved_to(session: Session, computed: bytes) -> int | None:
    """Where the tree places a leaf with this hash: a scan, run only for a tampered row."""
    return session.scalars(
        select(LogNode.index).where(LogNode.level == 0, LogNode.hash == computed).limit(1)
    ).first()


def _attribute(session: Session, found: _Findings) -> list[Problem]:
    """Turn failed checks into problems, blaming the row that was edited (see module docstring)."""
    problems = list(found.other)
    explained = {
        (level + 1, index >> 1)
        for level, index in found.checks
        if (level + 1, index >> 1) in found.checks
    }
    lookups = 0
    for (level, index), what in sorted(found.checks.items(), key=lambda kv: kv[0][1] << kv[0][0]):
        if (level, index) in explained:
            continue  # its failure is its edited child's
        first = index << level
        parent_failed = (level + 1, index >> 1) in found.checks
        if parent_failed:
            problems.append(
                Problem(
                    Defect.NODE_CHANGED,
                    first,
                    f"node (level {level}, index {index}) over {_leaf_range(level, index)} was altered: "
                    "it matches neither its children nor its parent",
                )
            )
        elif level == 0:
            computed, row_consistent = found.leaf_hashes[index]
            target = None
            if lookups < _MAX_MOVE_LOOKUPS:
                lookups += 1
                target = _moved_to(session, computed)
            if target is not None and target != index:
                problems.append(
                    Problem(
                        Defect.LEAF_MOVED,
                        first,
                        f"leaf row {index} holds the leaf the tree places at index {target} (rows reordered)",
                    )
                )
            else:
                how = (
                    "rewritten together with its leaf_hash"
                    if row_consistent
                    else "its data changed"
                )
                problems.append(
                    Problem(
                        Defect.LEAF_CHANGED,
                        first,
                        f"leaf {index} does not hash to the tree's leaf hash: {how}",
                    )
                )
        else:
            problems.append(
                Problem(
                    Defect.NODE_MISMATCH,
                    first,
                    f"node (level {level}, index {index}) over {_leaf_range(level, index)} {what}: "
                    "those leaves were rewritten together with their lower nodes, or this node was",
                )
            )
    return problems


def _check_heads(
    session: Session, log: StoredLog, size: int, key: Ed25519PublicKey, tree_ok: bool
) -> tuple[list[Problem], int, list[str]]:
    rows = session.scalars(select(LogHead).order_by(LogHead.id)).all()
    if not rows:
        return [], 0, ["no signed tree head yet: only the log's internal consistency was checked"]
    problems: list[Problem] = []
    valid: list[SignedHead] = []
    for row in rows:
        head = SignedHead.from_row(row)
        if reason := explain_head(head, key):
            problems.append(
                Problem(
                    Defect.HEAD_SIGNATURE,
                    None,
                    f"head #{row.id} (tree size {head.tree_size}): {reason}",
                )
            )
        else:
            valid.append(head)
    if not valid:
        return problems, len(rows), []
    latest = valid[-1]
    if latest.tree_size > size:
        problems.append(
            Problem(
                Defect.HEAD_BEYOND_LOG,
                size,
                f"the latest signed head covers {latest.tree_size} leaves but the log holds {size}: "
                f"leaves {size}..{latest.tree_size - 1} were deleted",
            )
        )
        return problems, len(rows), []
    if not tree_ok:
        return problems, len(rows), ["heads not compared: the stored tree itself is damaged"]

    def matches(head: SignedHead) -> bool:
        return head.tree_size <= size and log.root(session, head.tree_size) == head.root_hash

    def lower_bound(head: SignedHead) -> int:
        # The change lies after the largest signed size that the stored tree still matches.
        good = [h.tree_size for h in valid if h.tree_size < head.tree_size and matches(h)]
        return max(good, default=0)

    if not matches(latest):
        low = lower_bound(latest)
        problems.append(
            Problem(
                Defect.HEAD_ROOT,
                low,
                f"the stored tree's root at size {latest.tree_size} is not the signed root "
                f"{latest.root_hash.hex()}: leaves {low}..{latest.tree_size - 1} were rewritten "
                "together with every node above them",
            )
        )
        return problems, len(rows), []
    for head in valid[:-1]:
        if head.tree_size > latest.tree_size:
            reason = (
                f"it covers {head.tree_size} leaves, more than the latest head's {latest.tree_size}"
            )
        else:
            proof = log.consistency_proof(session, head.tree_size, latest.tree_size)
            reason = (
                explain_consistency(
                    head.tree_size, latest.tree_size, head.root_hash, latest.root_hash, proof
                )
                or ""
            )
        if reason:
            problems.append(
                Problem(
                    Defect.HEAD_INCONSISTENT,
                    lower_bound(head),
                    f"the head of tree size {head.tree_size} signed at {head.timestamp.isoformat()} "
                    f"is not consistent with the latest head: {reason}",
                )
            )
    return problems, len(rows), []


def verify_log(session: Session, key: Ed25519PublicKey, log: StoredLog) -> VerifyResult:
    """Check everything stored against everything else; see the module docstring."""
    state = session.execute(select(LogState.size).where(LogState.id == 1)).scalar_one_or_none()
    found = _Findings()
    size = state or 0
    if state is None and session.execute(select(LogLeaf.index).limit(1)).first() is not None:
        found.other.append(Problem(Defect.STATE_MISSING, None, "the log_state row is missing"))
    _check_leaves(session, size, found)
    _check_nodes(session, size, found)
    _check_inserted(session, size, found)
    problems = _attribute(session, found)
    tree_ok = not problems
    head_problems, heads_checked, notes = _check_heads(session, log, size, key, tree_ok)
    problems += head_problems
    return _result(size, heads_checked, problems, notes)


def _result(
    size: int, heads_checked: int, problems: Sequence[Problem], notes: Sequence[str]
) -> VerifyResult:
    ordered = sorted(problems, key=lambda p: (p.index is None, p.index or 0))
    indexes = [p.index for p in problems if p.index is not None]
    return VerifyResult(
        verdict=Verdict.TAMPERED if problems else Verdict.INTACT,
        tree_size=size,
        heads_checked=heads_checked,
        problems=tuple(ordered[:_MAX_REPORTED]),
        problems_total=len(problems),
        first_bad_index=min(indexes, default=None),
        notes=tuple(notes),
    )
