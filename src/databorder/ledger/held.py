"""The stored log judged against checkpoints kept outside it, and against a witness policy.

`databorder log verify` checks the database against itself (leaves, nodes, heads); an operator
with write access can remove the last leaves with their nodes and heads and that check still
passes. What it cannot rewrite is a checkpoint someone else kept (a buyer, a regulator) or the
witnesses' memory. Here the log is held to both: a kept checkpoint must be a prefix of the
stored tree, and the log's latest checkpoint must carry the cosignatures a client's policy asks.
"""

import base64

from sqlalchemy.orm import Session

from databorder.ledger.checkpoint import Checkpoint, Policy, parse_checkpoint
from databorder.ledger.log import StoredLog
from databorder.ledger.note import NoteError, verify_note
from databorder.ledger.signing import HeadSigner, UnsignedHeadError
from databorder.ledger.witnessing import cosigned_checkpoint, largest_cosigned

__all__ = ["explain_held", "explain_policy", "read_held"]


def _b64(root: bytes) -> str:
    return base64.b64encode(root).decode()


def read_held(data: bytes, signer: HeadSigner) -> Checkpoint:
    """A kept checkpoint, which must be this log's and signed by its key (NoteError if not)."""
    checkpoint, note = parse_checkpoint(data)
    if checkpoint.origin != signer.origin:
        raise NoteError(
            f"the checkpoint is {checkpoint.origin!r}'s, not this log's {signer.origin!r}"
        )
    verify_note(note, [signer.verifier])
    return checkpoint


def explain_held(session: Session, log: StoredLog, held: Checkpoint) -> str | None:
    """Why the stored log is not an extension of `held`, or None when it is."""
    size = log.size(session)
    if held.size > size:
        return f"rolled back: a kept checkpoint covers {held.size} leaves, the log holds {size}"
    root = log.root(session, held.size)
    if root != held.root:
        return (
            f"forked: at size {held.size} the log's root is {_b64(root)}, "
            f"the kept checkpoint's is {_b64(held.root)}"
        )
    return None


def explain_policy(session: Session, signer: HeadSigner, policy: Policy, now: int) -> str | None:
    """Why the log's largest witnessed checkpoint fails `policy` (log key, quorum, age), or the
    stored log does not extend it; None when both hold.

    The latest head may be newer than any the witnesses saw (they are asked once a head
    interval), so the check is of the largest cosigned one. A rollback below it is caught
    here; one below what the log still has cosignatures for needs the witnesses' own view
    (`GET <witness>/<sha256 of origin>/checkpoint`, kept and passed as --checkpoint).
    """
    head = largest_cosigned(session) if policy.quorum else signer.current(session)
    if head is None:
        return "no checkpoint of this log has been cosigned by a witness"
    try:
        trusted = policy.check(cosigned_checkpoint(session, signer, head).encode(), now)
    except (NoteError, UnsignedHeadError) as error:
        return f"the checkpoint of size {head.tree_size} fails the witness policy: {error}"
    return explain_held(session, signer.log, trusted.checkpoint)
