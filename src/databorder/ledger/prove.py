"""A leaf's proof bundle: the record, its inclusion proof and a signed head that covers it.

This is what a buyer or auditor needs to check one disclosure offline with
`databorder.ledger.merkle.verify_inclusion` and the published public key; nothing else. A
private leaf (`private.py`) is opened with the record and salt kept beside it: the bundle
carries both, and says `"opening": "erased"` once the buyer's erasure deleted them (the leaf
still proves the tree). A leaf that carries its record itself (before private leaves) is its
own record.
"""

import base64
import json
from typing import Any

from sqlalchemy.orm import Session

from databorder.ledger.bundle import ProofBundle, format_bundle
from databorder.ledger.private import explain_opening, is_private
from databorder.ledger.signing import HeadSigner
from databorder.ledger.witnessing import covering_checkpoint


def prove_leaf(session: Session, index: int, signer: HeadSigner) -> dict[str, Any]:
    """Signs a new head (in the caller's transaction) when the latest does not cover `index`."""
    log = signer.log
    leaf = log.leaf(session, index)
    head = signer.latest(session)
    if head is None or head.tree_size <= index:
        head = signer.current(session)
    proof = log.inclusion_proof(session, index, head.tree_size)
    kept = log.opening(session, index)
    if kept is not None:
        problem = explain_opening(leaf.data, kept.record, kept.salt)
        record, salt, opening = json.loads(kept.record), kept.salt, problem or "ok"
    elif is_private(leaf.data):
        record, salt, opening = None, None, "erased"
    else:
        record, salt, opening = json.loads(leaf.data), None, "the leaf carries its record"
    return {
        "leaf_index": index,
        "record": record,
        "salt": None if salt is None else base64.b64encode(salt).decode("ascii"),
        "opening": opening,
        "leaf_data": leaf.data.decode("utf-8"),
        "leaf_hash": leaf.leaf_hash.hex(),
        "inclusion_proof": {
            "index": index,
            "tree_size": head.tree_size,
            "hashes": [h.hex() for h in proof],
        },
        "head": head.to_json(),
    }


def tlog_proof(session: Session, index: int, signer: HeadSigner) -> str:
    """Leaf `index` as a C2SP tlog-proof bundle (`bundle.py`): its record and salt when kept,
    the inclusion proof, and the covering checkpoint with its cosignatures. May sign a head."""
    log = signer.log
    log.leaf(session, index)  # NotFound beyond the log
    head, note = covering_checkpoint(session, signer, index)
    kept = log.opening(session, index)
    return format_bundle(
        ProofBundle(
            index,
            tuple(log.inclusion_proof(session, index, head.tree_size)),
            note.encode(),
            None if kept is None else kept.record,
            None if kept is None else kept.salt,
        )
    )
