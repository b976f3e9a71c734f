"""A leaf's proof bundle: the record, its inclusion proof and a signed head that covers it.

This is what a buyer or auditor needs to check one disclosure offline with
`databorder.ledger.merkle.verify_inclusion` and the published public key; nothing else.
"""

import json
from typing import Any

from sqlalchemy.orm import Session

from databorder.ledger.signing import HeadSigner


def prove_leaf(session: Session, index: int, signer: HeadSigner) -> dict[str, Any]:
    """Signs a new head (in the caller's transaction) when the latest does not cover `index`."""
    log = signer.log
    leaf = log.leaf(session, index)
    head = signer.latest(session)
    if head is None or head.tree_size <= index:
        head = signer.current(session)
    proof = log.inclusion_proof(session, index, head.tree_size)
    return {
        "leaf_index": index,
        "record": json.loads(leaf.data),
        "leaf_data": leaf.data.decode("utf-8"),
        "leaf_hash": leaf.leaf_hash.hex(),
        "inclusion_proof": {
            "index": index,
            "tree_size": head.tree_size,
            "hashes": [h.hex() for h in proof],
        },
        "head": head.to_json(),
    }
