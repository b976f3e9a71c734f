"""Tiles and entry bundles per C2SP tlog-tiles, and proofs rebuilt from tiles alone."""

import hashlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from databorder.ledger.merkle import (
    consistency_proof,
    consistency_ranges,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    proof_hashes,
    root_hash,
)
from databorder.ledger.tiles import (
    Tile,
    TileError,
    entry_bundle,
    node_from_tile,
    parse_entry_bundle,
    parse_tile_path,
    tile_path,
    tiles_for_size,
)


def test_index_paths_follow_the_specifications_example() -> None:
    assert tile_path(Tile(0, 1234067)) == "tile/0/x001/x234/067"
    assert tile_path(Tile(2, 0, 1)) == "tile/2/000.p/1"
    assert tile_path(Tile(None, 5, 17)) == "tile/entries/005.p/17"
    assert parse_tile_path("tile/0/x001/x234/067") == Tile(0, 1234067)
    assert parse_tile_path("tile/entries/x001/000.p/255") == Tile(None, 1000, 255)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1234067",
        "tile/0/x000/001",
        "tile/01/000",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/64/000",
        "tile/0/x1/000",
        "tiles/0/000",
    ],
)
def test_non_canonical_paths_are_refused(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


def test_the_partial_tiles_of_the_specifications_example() -> None:
    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
    # tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
    # partial level 2 tile of width 1"
    assert tiles_for_size(70_000) == [Tile(0, 273, 112), Tile(1, 1, 17), Tile(2, 0, 1)]
    assert tiles_for_size(256) == [Tile(1, 0, 1)]
    assert tiles_for_size(0) == []


def test_entry_bundles_round_trip_and_bound_a_leaf() -> None:
    entries = [b"", b"a", bytes(65535)]
    assert parse_entry_bundle(entry_bundle(entries)) == entries
    with pytest.raises(TileError, match="65536 bytes, over the 65535 limit"):
        entry_bundle([bytes(65536)])
    with pytest.raises(TileError, match="the bundle ends first"):
        parse_entry_bundle(entry_bundle([b"abc"])[:-1])


def _tiles(leaves: list[bytes]) -> tuple[Callable[[Tile], list[bytes]], list[Tile]]:
    """A tile server over an in-memory tree: each level's complete-subtree hashes."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [
                hashlib.sha256(b"\x01" + below[i] + below[i + 1]).digest()
                for i in range(0, len(below) - 1, 2)
            ]
        )
    served: list[Tile] = []

    def fetch(tile: Tile) -> list[bytes]:
        served.append(tile)
        row = levels[tile.tree_level]
        return row[tile.first : tile.first + tile.width]

    return fetch, served


@given(st.integers(min_value=1, max_value=3000), st.data())
def test_proofs_rebuilt_from_tiles_equal_the_computed_ones(size: int, data: st.DataObject) -> None:
    leaves = [leaf_hash(str(i).encode()) for i in range(size)]
    fetch, _ = _tiles(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    old = data.draw(st.integers(min_value=0, max_value=size))

    def node(n: tuple[int, int]) -> bytes:
        return node_from_tile(n, fetch, size)

    assert proof_hashes(inclusion_ranges(index, size), node) == inclusion_proof(index, leaves)
    assert proof_hashes(consistency_ranges(old, size), node) == consistency_proof(old, leaves)
    assert proof_hashes([(0, size)], node) == [root_hash(leaves)]


def test_a_node_is_read_from_one_tile_of_the_tree_size() -> None:
    leaves = [leaf_hash(str(i).encode()) for i in range(70_000)]
    fetch, served = _tiles(leaves)
    node_from_tile((10, 3), fetch, 70_000)  # leaves 3072..4095: four hashes of level 8
    assert served == [Tile(1, 0)]
    node_from_tile((0, 69_999), fetch, 70_000)
    assert served[-1] == Tile(0, 273, 112)
    with pytest.raises(TileError, match="not complete"):
        node_from_tile((16, 1), fetch, 70_000)
