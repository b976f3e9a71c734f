"""The pure Merkle core: published vectors, hand-written hashes, and properties over random trees."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from databorder.ledger import merkle
from databorder.ledger.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    explain_consistency,
    explain_inclusion,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# --- hand-checked vectors ---------------------------------------------------------------------
# The leaf inputs of the certificate-transparency reference tests (merkle_tree_test.cc), which
# RFC 6962 implementations share. Expected roots are written two ways: spelled out below with
# hashlib and the RFC's formula (no code under test involved), and as the published hex values.
CT_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_LEAVES = [leaf_hash(d) for d in CT_INPUTS]


def by_hand(size: int) -> bytes:
    """MTH(D[n]) for n = 0..5, written out from RFC 6962 2.1 with the split at the largest
    power of two below n: n=3 is (01,2), n=5 is (0123,4), and so on."""
    d = [sha256(b"\x00" + x) for x in CT_INPUTS]

    def h(left: bytes, right: bytes) -> bytes:
        return sha256(b"\x01" + left + right)

    return [
        sha256(b""),
        d[0],
        h(d[0], d[1]),
        h(h(d[0], d[1]), d[2]),
        h(h(d[0], d[1]), h(d[2], d[3])),
        h(h(h(d[0], d[1]), h(d[2], d[3])), d[4]),
    ][size]


@pytest.mark.parametrize("size", range(6))
def test_roots_of_small_trees_equal_the_formula_written_out(size: int) -> None:
    assert root_hash(CT_LEAVES[:size]) == by_hand(size)
    assert by_hand(size).hex() == CT_ROOTS[size]


@pytest.mark.parametrize("size", range(9))
def test_roots_equal_the_published_reference_roots(size: int) -> None:
    assert root_hash(CT_LEAVES[:size]).hex() == CT_ROOTS[size]


def test_leaf_and_empty_hashes_are_domain_separated_sha256() -> None:
    assert leaf_hash(b"abc") == sha256(b"\x00abc")
    assert merkle.node_hash(b"a" * 32, b"b" * 32) == sha256(b"\x01" + b"a" * 32 + b"b" * 32)
    assert sha256(b"") == EMPTY_ROOT


# Published with the same reference tests (0-based indexes here; the C++ tests count from 1).
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
}
CT_CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}


@pytest.mark.parametrize(("index", "size"), sorted(CT_INCLUSION))
def test_inclusion_proofs_equal_the_published_paths(index: int, size: int) -> None:
    proof = inclusion_proof(index, CT_LEAVES[:size])
    assert [p.hex() for p in proof] == CT_INCLUSION[(index, size)]
    assert verify_inclusion(CT_LEAVES[index], index, size, proof, bytes.fromhex(CT_ROOTS[size]))


@pytest.mark.parametrize(("old", "new"), sorted(CT_CONSISTENCY))
def test_consistency_proofs_equal_the_published_proofs(old: int, new: int) -> None:
    proof = consistency_proof(old, CT_LEAVES[:new])
    assert [p.hex() for p in proof] == CT_CONSISTENCY[(old, new)]
    old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
    assert verify_consistency(old, new, old_root, new_root, proof)


def test_inclusion_proof_of_a_pair_is_the_sibling_leaf() -> None:
    assert inclusion_proof(0, CT_LEAVES[:2]) == [CT_LEAVES[1]]
    assert inclusion_proof(1, CT_LEAVES[:2]) == [CT_LEAVES[0]]
    assert inclusion_proof(0, CT_LEAVES[:1]) == []


def test_every_proof_of_every_tree_up_to_40_leaves_verifies() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(40)]
    roots = [root_hash(leaves[:n]) for n in range(41)]
    for size in range(1, 41):
        for index in range(size):
            proof = inclusion_proof(index, leaves[:size])
            assert verify_inclusion(leaves[index], index, size, proof, roots[size])
    for new in range(41):
        for old in range(new + 1):
            proof = consistency_proof(old, leaves[:new])
            assert verify_consistency(old, new, roots[old], roots[new], proof)


# --- errors: impossible arguments raise, wrong proofs answer False -----------------------------


def test_impossible_arguments_raise_value_error_saying_what_was_expected() -> None:
    h = CT_LEAVES[0]
    with pytest.raises(
        ValueError, match=r"leaf index must be in 0\.\.2 for a tree of size 3, got 3"
    ):
        verify_inclusion(h, 3, 3, [], h)
    with pytest.raises(ValueError, match="tree size must be >= 0, got -1"):
        verify_inclusion(h, 0, -1, [], h)
    with pytest.raises(ValueError, match=r"old tree size must be <= new tree size, got 5 > 4"):
        verify_consistency(5, 4, h, h, [])
    with pytest.raises(ValueError, match="tree sizes must be >= 0"):
        verify_consistency(-1, 4, h, h, [])
    with pytest.raises(ValueError, match=r"leaf index must be in 0\.\.-1"):
        inclusion_proof(0, [])
    with pytest.raises(ValueError, match="old tree size must be <= new tree size"):
        consistency_proof(3, CT_LEAVES[:2])


def test_a_proof_of_the_wrong_length_is_explained_and_false() -> None:
    proof = inclusion_proof(5, CT_LEAVES)
    root = bytes.fromhex(CT_ROOTS[8])
    assert (
        explain_inclusion(CT_LEAVES[5], 5, 8, proof[:2], root)
        == "inclusion proof has wrong size: expected 3, got 2"
    )
    assert not verify_inclusion(CT_LEAVES[5], 5, 8, [*proof, proof[0]], root)
    assert (
        explain_consistency(6, 8, bytes.fromhex(CT_ROOTS[6]), root, [])
        == "consistency proof has wrong size: expected 3, got 0"
    )


def test_hashes_of_the_wrong_size_are_false_not_errors() -> None:
    proof = inclusion_proof(5, CT_LEAVES)
    root = bytes.fromhex(CT_ROOTS[8])
    assert not verify_inclusion(CT_LEAVES[5][:31], 5, 8, proof, root)
    assert not verify_inclusion(CT_LEAVES[5], 5, 8, [proof[0] + b"\x00", *proof[1:]], root)
    assert (
        explain_inclusion(CT_LEAVES[5], 5, 8, proof, root[:4])
        == "root has wrong size: expected 32 bytes, got 4"
    )


def test_the_empty_tree_is_consistent_only_with_its_own_root() -> None:
    some_root = bytes.fromhex(CT_ROOTS[3])
    assert verify_consistency(0, 3, EMPTY_ROOT, some_root, [])
    assert not verify_consistency(0, 3, some_root, some_root, [])
    assert not verify_consistency(0, 3, EMPTY_ROOT, some_root, [some_root])
    assert not verify_consistency(3, 3, some_root, bytes.fromhex(CT_ROOTS[4]), [])


# --- properties --------------------------------------------------------------------------------


def leaves_of(size: int, salt: int) -> list[bytes]:
    return [leaf_hash(f"{salt}:{i}".encode()) for i in range(size)]


def flip(value: bytes, bit: int) -> bytes:
    changed = bytearray(value)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 3000), salt=st.integers(0, 2**16), data=st.data())
def test_every_inclusion_proof_verifies_and_any_flipped_bit_fails(
    size: int, salt: int, data: st.DataObject
) -> None:
    leaves = leaves_of(size, salt)
    root = root_hash(leaves)
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(index, leaves)
    assert verify_inclusion(leaves[index], index, size, proof, root)

    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_inclusion(flip(leaves[index], bit), index, size, proof, root)
    assert not verify_inclusion(leaves[index], index, size, proof, flip(root, bit))
    for k in range(len(proof)):
        tampered = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
        assert not verify_inclusion(leaves[index], index, size, tampered, root)
    for index_bit in range(size.bit_length()):
        other = index ^ (1 << index_bit)
        if other < size:
            assert not verify_inclusion(leaves[index], other, size, proof, root)
        else:
            with pytest.raises(ValueError, match="leaf index must be in"):
                verify_inclusion(leaves[index], other, size, proof, root)


@settings(max_examples=40, deadline=None)
@given(new=st.integers(1, 3000), salt=st.integers(0, 2**16), data=st.data())
def test_every_consistency_proof_verifies_and_any_flipped_bit_fails(
    new: int, salt: int, data: st.DataObject
) -> None:
    leaves = leaves_of(new, salt)
    old = data.draw(st.integers(1, new), label="old")
    old_root, new_root = root_hash(leaves[:old]), root_hash(leaves)
    proof = consistency_proof(old, leaves)
    assert verify_consistency(old, new, old_root, new_root, proof)

    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_consistency(old, new, flip(old_root, bit), new_root, proof)
    assert not verify_consistency(old, new, old_root, flip(new_root, bit), proof)
    for k in range(len(proof)):
        tampered = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
        assert not verify_consistency(old, new, old_root, new_root, tampered)


@settings(max_examples=25, deadline=None)
@given(size=st.integers(0, 2000), salt=st.integers(0, 2**16))
def test_the_frontier_folds_to_the_root_and_names_its_nodes(size: int, salt: int) -> None:
    leaves = leaves_of(size, salt)
    frontier = merkle.frontier(leaves)
    assert merkle.fold_frontier(frontier) == root_hash(leaves)
    nodes = merkle.range_nodes(0, size)
    assert len(nodes) == len(frontier) == size.bit_count()
    for (level, index), hashed in zip(nodes, frontier, strict=True):
        first = index << level
        assert root_hash(leaves[first : first + (1 << level)]) == hashed


def test_every_public_name_is_exported_once() -> None:
    import databorder.ledger  # noqa: PLC0415

    for module in (merkle, databorder.ledger):
        assert len(set(module.__all__)) == len(module.__all__)
        assert all(hasattr(module, name) for name in module.__all__)
    # The contract's six functions, exactly as named there.
    contract = {"leaf_hash", "root_hash", "inclusion_proof", "consistency_proof"}
    assert contract | {"verify_inclusion", "verify_consistency"} <= set(merkle.__all__)
