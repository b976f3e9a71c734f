"""Proof bundles (C2SP `tlog-proof`): one disclosure, checkable offline with SHA-256 and Ed25519.

    c2sp.org/tlog-proof@v1
    extra <base64 of {"record": <the record's canonical JSON, as a string>, "salt": <base64>}>
    index <leaf index>
    <inclusion proof, one base64 hash a line, from the leaf's sibling up>

    <the checkpoint, with its cosignatures>

The `extra` line carries what opens the private leaf: the verifier rebuilds the leaf from the
record and salt (`private.private_leaf`), hashes it, walks the inclusion proof to the
checkpoint's root, and checks the checkpoint against its policy (the log's key, a quorum of
witnesses). Nothing of databorder is needed; `docs/ledger.md` lists the steps and a test does
them with `hashlib` and `cryptography` alone.

Pure: text in, values or a reason out.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from databorder.ledger.canonical import canonical_json
from databorder.ledger.checkpoint import Policy, TrustedCheckpoint
from databorder.ledger.merkle import HASH_SIZE, explain_inclusion, leaf_hash
from databorder.ledger.note import NoteError, b64, unb64
from databorder.ledger.private import explain_opening, private_leaf

__all__ = ["HEADER", "ProofBundle", "Proven", "format_bundle", "parse_bundle", "verify_bundle"]

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")


@dataclass(frozen=True, slots=True)
class ProofBundle:
    index: int
    proof: tuple[bytes, ...]
    checkpoint: bytes
    record: bytes | None = None  # the record's canonical JSON, when the bundle opens the leaf
    salt: bytes | None = None


@dataclass(frozen=True, slots=True)
class Proven:
    """A bundle that verified: the record it proves, where, and the checkpoint that covers it."""

    record: dict[str, Any]
    index: int
    trusted: TrustedCheckpoint


def format_bundle(bundle: ProofBundle) -> str:
    lines = [HEADER]
    if bundle.record is not None and bundle.salt is not None:
        extra = canonical_json({"record": bundle.record.decode("utf-8"), "salt": b64(bundle.salt)})
        lines.append(f"extra {b64(extra)}")
    lines.append(f"index {bundle.index}")
    lines.extend(b64(h) for h in bundle.proof)
    return "\n".join(lines) + "\n\n" + bundle.checkpoint.decode("utf-8")


def parse_bundle(text: str) -> ProofBundle:
    """Read a bundle; raises NoteError naming the line that is wrong."""
    head, separator, checkpoint = text.partition("\n\n")
    if not separator:
        raise NoteError("proof bundle has no blank line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise NoteError(f"proof bundle must start with {HEADER!r}, got {lines[0][:40]!r}")
    rest = lines[1:]
    record = salt = None
    if rest and rest[0].startswith("extra "):
        try:
            opened = json.loads(unb64(rest[0][6:], "extra"))
            record = str(opened["record"]).encode("utf-8")
            salt = unb64(str(opened["salt"]), "extra salt")
        except (ValueError, KeyError, TypeError) as error:
            raise NoteError("extra must hold the record and its salt") from error
        rest = rest[1:]
    match = _INDEX.fullmatch(rest[0]) if rest else None
    if match is None:
        raise NoteError("proof bundle needs an 'index <n>' line")
    proof = tuple(unb64(line, f"proof line {n}") for n, line in enumerate(rest[1:], 1))
    if any(len(h) != HASH_SIZE for h in proof):
        raise NoteError(f"every proof line must be a {HASH_SIZE}-byte hash")
    return ProofBundle(int(match.group(1)), proof, checkpoint.encode("utf-8"), record, salt)


def verify_bundle(text: str, policy: Policy, now: int) -> Proven:
    """Check a bundle against `policy` at POSIX time `now`; NoteError says what failed."""
    bundle = parse_bundle(text)
    if bundle.record is None or bundle.salt is None:
        raise NoteError("the bundle does not open its leaf (no record and salt: erased?)")
    trusted = policy.check(bundle.checkpoint, now)
    try:  # the leaf the log appended for this record (explain_opening checks it is canonical)
        leaf, _ = private_leaf(json.loads(bundle.record), bundle.salt)
    except (ValueError, TypeError, AttributeError) as error:
        raise NoteError(f"the record cannot be a logged record: {error}") from error
    if problem := explain_opening(leaf, bundle.record, bundle.salt):
        raise NoteError(problem)
    checkpoint = trusted.checkpoint
    if not 0 <= bundle.index < checkpoint.size:
        raise NoteError(
            f"index {bundle.index} is outside the checkpoint's {checkpoint.size} leaves"
        )
    problem = explain_inclusion(
        leaf_hash(leaf), bundle.index, checkpoint.size, list(bundle.proof), checkpoint.root
    )
    if problem is not None:
        raise NoteError(f"inclusion proof: {problem}")
    return Proven(json.loads(bundle.record), bundle.index, trusted)
