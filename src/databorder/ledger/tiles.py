"""Tiles (C2SP `tlog-tiles`): the tree served as fixed blocks of 256 hashes a client proves from.

A tile at level L, index N holds the hashes of tree level 8·L, nodes 256·N to 256·N + W − 1
(W = 256 for a full tile, 1 to 255 for the rightmost partial one). The stored log already keeps
every complete subtree's hash by (level, index), so a tile is one range read of stored nodes and
nothing is re-hashed. An entry bundle holds the same span's leaf data, each prefixed by its
length as a big-endian uint16, which bounds a leaf to 65,535 bytes.

`node_from_tile` and `TileReader` are the client side: any node of a complete subtree is the
tile row below it hashed up at most 7 levels, so an inclusion or consistency proof can be
rebuilt from tiles alone (`merkle.proof_hashes` takes the node getter).

Pure: paths, sizes and bytes; the adapter reads stored nodes.
"""

import re
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from databorder.ledger.merkle import HASH_SIZE, Node, leaf_hash, node_hash

__all__ = [
    "MAX_ENTRY_BYTES",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Tile",
    "TileError",
    "entry_bundle",
    "node_from_tile",
    "parse_entry_bundle",
    "parse_tile_path",
    "tile_path",
    "tiles_for_size",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_BYTES = 0xFFFF
MAX_LEVEL = 63  # the specification's bound; levels above 7 stay empty below 2**64 leaves
_PATH = re.compile(r"tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([1-9][0-9]*))?")


class TileError(ValueError):
    """A tile path or an entry bundle that does not follow the specification."""


@dataclass(frozen=True, slots=True)
class Tile:
    """Tile `index` at `level` of `width` hashes; `level` None is the entry bundle."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if self.level is not None and not 0 <= self.level <= MAX_LEVEL:
            raise TileError(f"tile level must be between 0 and {MAX_LEVEL}, got {self.level}")
        if self.index < 0:
            raise TileError(f"tile index must not be negative, got {self.index}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise TileError(f"tile width must be between 1 and {TILE_WIDTH}, got {self.width}")

    @property
    def partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def tree_level(self) -> int:
        """The tree level whose hashes the tile holds (0 for entry bundles' leaves)."""
        return TILE_HEIGHT * (self.level or 0)

    @property
    def first(self) -> int:
        """Index, within `tree_level`, of the tile's first hash."""
        return self.index * TILE_WIDTH

    @property
    def path(self) -> str:
        return tile_path(self)


def _index_path(index: int) -> str:
    digits = f"{index:d}"
    digits = "0" * (-len(digits) % 3) + digits
    parts = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + p for p in parts[:-1]), parts[-1]])


def tile_path(tile: Tile) -> str:
    """`tile/<L>/<N>[.p/<W>]`, with N in the `x001/x234/067` form."""
    level = "entries" if tile.level is None else str(tile.level)
    suffix = f".p/{tile.width}" if tile.partial else ""
    return f"tile/{level}/{_index_path(tile.index)}{suffix}"


def parse_tile_path(path: str) -> Tile:
    """Read a tile or entry bundle path (without the log's prefix); TileError if malformed."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise TileError(f"not a tile path: expected tile/<L>/<N>[.p/<W>], got {path[:80]!r}")
    level, index, width = match.groups()
    if width is not None and int(width) >= TILE_WIDTH:
        raise TileError(f"a partial tile's width must be 1 to {TILE_WIDTH - 1}, got {width}")
    tile = Tile(
        None if level == "entries" else int(level),
        int(index.replace("x", "").replace("/", "")),
        int(width) if width else TILE_WIDTH,
    )
    if tile_path(tile) != path:
        raise TileError(f"tile path is not in its canonical form: {path!r}")
    return tile


def tile_width(tile: Tile, size: int) -> int:
    """How many hashes tile (level, index) holds in a tree of `size` leaves (0: none yet)."""
    count = size >> tile.tree_level  # complete nodes at the tile's tree level
    return max(0, min(TILE_WIDTH, count - tile.first))


def tiles_for_size(size: int) -> list[Tile]:
    """The partial tiles a checkpoint of `size` leaves makes exist (the rightmost of each level)."""
    partial = []
    level = 0
    while count := size >> (TILE_HEIGHT * level):
        if width := count % TILE_WIDTH:
            partial.append(Tile(level, count // TILE_WIDTH, width))
        level += 1
    return partial


def entry_bundle(datas: Iterable[bytes]) -> bytes:
    """Leaf data as uint16 length-prefixed entries; TileError on a leaf over 65,535 bytes."""
    out = bytearray()
    for data in datas:
        if len(data) > MAX_ENTRY_BYTES:
            raise TileError(f"log entry is {len(data)} bytes, over the {MAX_ENTRY_BYTES} limit")
        out += struct.pack(">H", len(data)) + data
    return bytes(out)


def parse_entry_bundle(bundle: bytes) -> list[bytes]:
    entries = []
    at = 0
    while at < len(bundle):
        if at + 2 > len(bundle):
            raise TileError(f"entry bundle ends inside a length prefix at byte {at}")
        (length,) = struct.unpack_from(">H", bundle, at)
        if at + 2 + length > len(bundle):
            raise TileError(f"entry at byte {at} needs {length} bytes, the bundle ends first")
        entries.append(bundle[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


def split_hashes(tile_bytes: bytes) -> list[bytes]:
    if len(tile_bytes) % HASH_SIZE or not tile_bytes:
        raise TileError(
            f"a tile is a non-empty multiple of {HASH_SIZE} bytes, got {len(tile_bytes)}"
        )
    return [tile_bytes[i : i + HASH_SIZE] for i in range(0, len(tile_bytes), HASH_SIZE)]


def _fold(hashes: list[bytes]) -> bytes:
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def node_from_tile(node: Node, fetch: Callable[[Tile], list[bytes]], size: int) -> bytes:
    """The hash of complete subtree `node` = (level, index), from the one tile that covers it."""
    level, index = node
    tile_level, height = divmod(level, TILE_HEIGHT)
    first = index << height
    tile = Tile(tile_level, first // TILE_WIDTH)
    width = tile_width(tile, size)
    if first + (1 << height) > tile.first + width:
        raise TileError(f"node {node} is not complete in a tree of {size} leaves")
    hashes = fetch(Tile(tile_level, tile.index, width))
    offset = first - tile.first
    return _fold(hashes[offset : offset + (1 << height)])


def leaf_hashes(bundle: bytes) -> Iterator[bytes]:
    """The leaf hashes of an entry bundle's entries (to check it against the level-0 tile)."""
    return (leaf_hash(entry) for entry in parse_entry_bundle(bundle))
