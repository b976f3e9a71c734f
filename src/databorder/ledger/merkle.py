"""RFC 9162 Merkle tree math over SHA-256 (RFC 6962 hashing): plain bytes in, plain bytes out.

Anyone holding a leaf, a proof and a signed root can check a disclosure with this module alone:
it imports nothing but `hashlib`, reads no database and no clock. The stored log
(`databorder.ledger.log`) computes the same proofs from stored node hashes; both share the
range arithmetic below, so the two can only agree or both be wrong, and the tests pin them
against independently written hashes.

Every subtree a proof names is one of two shapes: a complete, aligned subtree of 2**level
leaves (a "node", addressed as `(level, index)` covering leaves `index << level` up to
`(index + 1) << level`), or a range that ends at the tree's right edge. The latter is the
right-fold of its complete subtrees, largest first (its "frontier").
"""

import hashlib
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "consistency_proof",
    "consistency_ranges",
    "explain_consistency",
    "explain_inclusion",
    "fold_frontier",
    "frontier",
    "inclusion_proof",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "proof_hashes",
    "range_nodes",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

Range = tuple[int, int]
Node = tuple[int, int]


def leaf_hash(data: bytes) -> bytes:
    """The 0x00 prefix keeps a leaf from ever being passed off as an inner node (RFC 6962 2.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly smaller than `size` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def frontier(leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Hashes of the complete subtrees of the tree, largest first: its right-edge decomposition.

    These are exactly the hashes an append needs to extend the tree, which is why the stored
    log keeps them as rows instead of rehashing leaves.
    """
    stack: list[bytes] = []
    for size, hashed in enumerate(leaf_hashes, start=1):
        stack.append(hashed)
        # Each trailing zero bit of the new size closes one complete subtree.
        closing = size
        while closing & 1 == 0:
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            closing >>= 1
    return stack


def fold_frontier(hashes: Sequence[bytes]) -> bytes:
    """The root of a range from its complete subtrees, largest first (right fold, RFC 9162 2.1.1)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for hashed in reversed(hashes[:-1]):
        result = node_hash(hashed, result)
    return result


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    return fold_frontier(frontier(leaf_hashes))


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees `(level, index)` covering leaves start..end-1, largest first.

    For the ranges proofs use (aligned to their largest subtree), folding these hashes with
    `fold_frontier` gives the range's Merkle tree hash.
    """
    nodes: list[Node] = []
    while start < end:
        # The largest aligned block at `start` that still fits before `end`.
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose hashes form PATH(index, D[size]), deepest first (RFC 9162 2.1.3.1)."""
    _check_index(index, size)
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The leaf ranges whose hashes form PROOF(old, D[new]), deepest first (RFC 9162 2.1.4.1)."""
    _check_sizes(old_size, new_size)
    if old_size in (0, new_size):
        # Every tree extends the empty tree, and a tree is consistent with itself: nothing to prove.
        return []
    ranges: list[Range] = []
    start, end, old, whole = 0, new_size, old_size, True
    while end - start != old:
        middle = start + _split(end - start)
        if old <= middle - start:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            old -= middle - start
            start = middle
            whole = False
    if not whole:
        # The old tree's last subtree is not one the verifier already knows as the old root.
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def _proof(ranges: list[Range], leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return [root_hash(leaf_hashes[start:end]) for start, end in ranges]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return _proof(inclusion_ranges(index, len(leaf_hashes)), leaf_hashes)


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return _proof(consistency_ranges(old_size, len(leaf_hashes)), leaf_hashes)


def _check_index(index: int, size: int) -> None:
    if size < 0:
        raise ValueError(f"tree size must be >= 0, got {size}")
    if not 0 <= index < size:
        raise ValueError(
            f"leaf index must be in 0..{size - 1} for a tree of size {size}, got {index}"
        )


def _check_sizes(old_size: int, new_size: int) -> None:
    if old_size < 0 or new_size < 0:
        raise ValueError(f"tree sizes must be >= 0, got {old_size} and {new_size}")
    if old_size > new_size:
        raise ValueError(f"old tree size must be <= new tree size, got {old_size} > {new_size}")


def _shift_past_zeros(first: int, second: int) -> tuple[int, int]:
    # Right-shift both until the lowest bit of `first` is set or it is 0 (RFC 9162 2.1.3.2 step 5).
    while first and not first & 1:
        first >>= 1
        second >>= 1
    return first, second


def _hashes_problem(
    first: bytes, second: bytes, proof: Sequence[bytes], first_name: str, second_name: str
) -> str | None:
    """A hash of the wrong length is a wrong proof (False), not an impossible argument."""
    for name, value in ((first_name, first), (second_name, second)):
        if len(value) != HASH_SIZE:
            return f"{name} has wrong size: expected {HASH_SIZE} bytes, got {len(value)}"
    for position, value in enumerate(proof):
        if len(value) != HASH_SIZE:
            return f"proof hash {position} has wrong size: expected {HASH_SIZE} bytes, got {len(value)}"
    return None


def explain_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> str | None:
    """Why the inclusion proof fails, or None when it verifies (RFC 9162 2.1.3.2).

    Raises ValueError only for arguments no tree could have (negative size, index >= size).
    """
    _check_index(index, size)
    expected = len(inclusion_ranges(index, size))
    if len(proof) != expected:
        return f"inclusion proof has wrong size: expected {expected}, got {len(proof)}"
    if problem := _hashes_problem(leaf_hash, root, proof, "leaf hash", "root"):
        return problem
    first, last, result = index, size - 1, leaf_hash
    for sibling in proof:
        if last == 0:
            return "inclusion proof is longer than the path it describes"
        if first & 1 or first == last:
            result = node_hash(sibling, result)
            first, last = _shift_past_zeros(first, last)
        else:
            result = node_hash(result, sibling)
        first >>= 1
        last >>= 1
    if result != root:
        return f"inclusion proof does not lead to the root: expected {root.hex()}, computed {result.hex()}"
    if last != 0:
        return "inclusion proof is shorter than the path it describes"
    return None


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    return explain_inclusion(leaf_hash, index, size, proof, root) is None


def explain_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> str | None:
    """Why the consistency proof fails, or None when it verifies (RFC 9162 2.1.4.2).

    Raises ValueError only for arguments no pair of trees could have (negative sizes, old > new).
    """
    _check_sizes(old_size, new_size)
    expected = len(consistency_ranges(old_size, new_size))
    if len(proof) != expected:
        return f"consistency proof has wrong size: expected {expected}, got {len(proof)}"
    if problem := _hashes_problem(old_root, new_root, proof, "old root", "new root"):
        return problem
    if old_size == 0:
        # Without this, any claimed "old root" would pass for the empty tree.
        if old_root != EMPTY_ROOT:
            return f"old root of the empty tree must be {EMPTY_ROOT.hex()}, got {old_root.hex()}"
        return None
    if old_size == new_size:
        if old_root != new_root:
            return f"trees of equal size {old_size} have different roots: {old_root.hex()} and {new_root.hex()}"
        return None
    hashes = list(proof)
    if old_size & (old_size - 1) == 0:
        # A power-of-two old tree is itself a node of the new tree; the verifier knows its hash.
        hashes.insert(0, old_root)
    first, second = old_size - 1, new_size - 1
    while first & 1:
        # Skip the levels where the old tree's last subtree is a right child (RFC 9162 step 4).
        first >>= 1
        second >>= 1
    old_result = new_result = hashes[0]
    for sibling in hashes[1:]:
        if second == 0:
            return "consistency proof is longer than the path it describes"
        if first & 1 or first == second:
            old_result = node_hash(sibling, old_result)
            new_result = node_hash(sibling, new_result)
            first, second = _shift_past_zeros(first, second)
        else:
            new_result = node_hash(new_result, sibling)
        first >>= 1
        second >>= 1
    if old_result != old_root:
        return f"consistency proof does not lead to the old root: expected {old_root.hex()}, computed {old_result.hex()}"
    if new_result != new_root:
        return f"consistency proof does not lead to the new root: expected {new_root.hex()}, computed {new_result.hex()}"
    if second != 0:
        return "consistency proof is shorter than the path it describes"
    return None


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    return explain_consistency(old_size, new_size, old_root, new_root, proof) is None


def proof_hashes(ranges: Sequence[Range], node: Callable[[Node], bytes]) -> list[bytes]:
    """Each range's hash from complete-subtree hashes looked up by `node`: the stored log's path."""
    return [fold_frontier([node(n) for n in range_nodes(start, end)]) for start, end in ranges]
