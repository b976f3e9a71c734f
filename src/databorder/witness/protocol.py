"""The witness's side of C2SP `tlog-witness` `add-checkpoint`, as a pure judgement.

A witness remembers, per log origin, the latest checkpoint it cosigned. A log asks it to cosign
a new one and proves the new tree extends the remembered one; the witness cosigns only then, so
a log that rolls back or shows two histories cannot collect cosignatures for both. Each answer
follows the specification:

- 400: a body that is not `old <size>`, proof lines, a blank line and a checkpoint, or an old
  size above the checkpoint's;
- 404: an origin the witness does not follow; 403: no valid signature by that log's key;
- 409: the old size is not the size the witness remembers (`text/x.tlog.size`, that size), so
  the log can retry from there;
- 422: a proof that does not verify, a proof where none is due, the same size with another
  root, or an empty tree with a root other than the empty one: a fork, which the witness never
  forgets (it answers the same way to every later attempt from that state).

`judge` takes the request bytes and the remembered state and returns the answer and the state to
store; the adapter (`witness/store.py`, `witness/app.py`) persists it atomically with the check.
"""

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from databorder.ledger.checkpoint import Checkpoint, parse_checkpoint
from databorder.ledger.merkle import EMPTY_ROOT, HASH_SIZE, explain_consistency
from databorder.ledger.note import (
    Note,
    NoteError,
    NoteSignature,
    Verifier,
    cosign,
    parse_signature_lines,
    verify_note,
)

__all__ = [
    "MAX_PROOF_LINES",
    "SIZE_CONTENT_TYPE",
    "AddCheckpoint",
    "Answer",
    "Remembered",
    "format_add_checkpoint",
    "judge",
    "parse_add_checkpoint",
]

MAX_PROOF_LINES = 63
MAX_BODY_BYTES = 64 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_OLD = re.compile(r"old (0|[1-9][0-9]*)")


class ProtocolError(ValueError):
    """A request body that does not follow `add-checkpoint`."""


@dataclass(frozen=True, slots=True)
class AddCheckpoint:
    """A log's request: the size the witness last saw, the proof from it, the signed checkpoint."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: bytes


def format_add_checkpoint(request: AddCheckpoint) -> bytes:
    lines = [
        f"old {request.old_size}\n",
        *(base64.b64encode(h).decode() + "\n" for h in request.proof),
    ]
    return ("".join(lines) + "\n").encode() + request.checkpoint


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Split the body; raises ProtocolError saying which line is wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise ProtocolError(f"request body is {len(body)} bytes, over {MAX_BODY_BYTES}")
    head, separator, checkpoint = body.partition(b"\n\n")
    if not separator:
        raise ProtocolError("request has no blank line before the checkpoint")
    try:
        lines = head.decode("ascii").split("\n")
    except UnicodeDecodeError as error:
        raise ProtocolError("old size and proof lines must be ASCII") from error
    match = _OLD.fullmatch(lines[0])
    if match is None:
        raise ProtocolError(f"first line must be 'old <size>', got {lines[0][:40]!r}")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise ProtocolError(f"at most {MAX_PROOF_LINES} proof lines, got {len(lines) - 1}")
    proof = []
    for n, line in enumerate(lines[1:], start=1):
        try:
            hashed = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ProtocolError(f"proof line {n} is not base64") from error
        if len(hashed) != HASH_SIZE:
            raise ProtocolError(f"proof line {n} must be {HASH_SIZE} bytes, got {len(hashed)}")
        proof.append(hashed)
    return AddCheckpoint(int(match.group(1)), tuple(proof), checkpoint)


@dataclass(frozen=True, slots=True)
class Remembered:
    """The latest checkpoint a witness cosigned for one origin."""

    size: int
    root: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """The HTTP answer, and what to remember (None: nothing changes)."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"
    remember: Remembered | None = None
    checkpoint: Checkpoint | None = None
    cosignature: NoteSignature | None = None


def _refuse(status: int, reason: str) -> Answer:
    return Answer(status, reason + "\n")


def judge(
    body: bytes,
    logs: Mapping[str, Sequence[Verifier]],
    remembered: Remembered | None,
    name: str,
    key: Ed25519PrivateKey,
    now: int,
) -> Answer:
    """The witness's answer to an `add-checkpoint` body, given what it remembers for the origin.

    `remembered` must be the state of the checkpoint's origin (the adapter looks it up by
    `origin_of(body)` first); `logs` maps each followed origin to its trusted keys.
    """
    try:
        request = parse_add_checkpoint(body)
        checkpoint, note = parse_checkpoint(request.checkpoint)
    except (ProtocolError, NoteError) as error:
        return _refuse(400, str(error))
    trusted = logs.get(checkpoint.origin)
    if trusted is None:
        return _refuse(404, f"unknown log origin {checkpoint.origin!r}")
    try:
        verify_note(note, trusted)
    except NoteError as error:
        return _refuse(403, f"checkpoint not signed by the log's key: {error}")
    if request.old_size > checkpoint.size:
        return _refuse(
            400, f"old size {request.old_size} is above the checkpoint's size {checkpoint.size}"
        )
    latest = remembered or Remembered(0, EMPTY_ROOT)
    if request.old_size != latest.size:
        return Answer(409, f"{latest.size}\n", SIZE_CONTENT_TYPE)
    problem = _inconsistency(request, checkpoint, latest)
    if problem is not None:
        return _refuse(422, problem)
    signature = cosign(note.text, name, key, now)
    return Answer(
        200,
        signature.line(),
        remember=Remembered(checkpoint.size, checkpoint.root),
        checkpoint=checkpoint,
        cosignature=signature,
    )


def _inconsistency(
    request: AddCheckpoint, checkpoint: Checkpoint, latest: Remembered
) -> str | None:
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        return "a checkpoint of size 0 must carry the empty tree's root"
    if request.old_size == 0:
        return "a proof from size 0 must be empty" if request.proof else None
    if request.old_size == checkpoint.size:
        if checkpoint.root != latest.root:
            return f"same size {checkpoint.size} as the cosigned checkpoint with another root"
        return "a proof between equal sizes must be empty" if request.proof else None
    problem = explain_consistency(
        request.old_size, checkpoint.size, latest.root, checkpoint.root, list(request.proof)
    )
    return None if problem is None else f"consistency proof does not verify: {problem}"


def origin_of(body: bytes) -> str | None:
    """The checkpoint's origin line, to look up what the witness remembers before judging."""
    _, _, checkpoint = body.partition(b"\n\n")
    first = checkpoint.split(b"\n", 1)[0]
    try:
        return first.decode("utf-8") or None
    except UnicodeDecodeError:
        return None


def cosigned(note: Note, answer_body: bytes, witnesses: Sequence[Verifier]) -> Note:
    """The log's checkpoint with the verified cosignature lines of a witness's 200 answer."""
    lines = parse_signature_lines(answer_body.decode("utf-8"))
    return note.with_signatures(verify_note(Note(note.text, lines), witnesses))
