"""A disclosure's log proof, as the buyer's browser checks it.

The bundle carries everything a verifier needs and nothing it must trust: the leaf's exact
bytes (base64), its index, the tree size, the audit path, the signed tree head and the log's
public key. The browser (static/me-proof.js) hashes the leaf with Web Crypto (RFC 6962: SHA-256
of 0x00 || leaf), folds the audit path up to the root (0x01 || left || right, RFC 9162 2.1.3.2),
compares it with the head's root, checks that the leaf records this disclosure, and verifies the
head's Ed25519 signature where the browser has Ed25519. The server's own check of the same
bundle rides along, labelled as the server's, for browsers without Ed25519.

The public key comes from the same server: a buyer who wants to exclude a lying server
compares its key id with the one the marketplace publishes (`GET /v1/log/key`, docs/ledger.md).
"""

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.errors import NotFound
from databorder.gateway.models import Disclosure
from databorder.ledger.canonical import canonical_json
from databorder.ledger.merkle import explain_inclusion, leaf_hash
from databorder.ledger.prove import prove_leaf, tlog_proof
from databorder.ledger.signing import HeadSigner, SignedHead, explain_head, public_key_json


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(record: Any) -> str:
    return canonical_json(record).decode("utf-8")


def _own_leaf(session: Session, buyer_id: str, disclosure_id: str) -> int:
    index = session.scalars(
        select(Disclosure.leaf_index).where(
            Disclosure.subject_id == buyer_id, Disclosure.id == disclosure_id
        )
    ).first()
    if index is None:
        raise NotFound("disclosure", disclosure_id)
    return index


def disclosure_bundle(
    session: Session, signer: HeadSigner, buyer_id: str, disclosure_id: str
) -> str:
    """The buyer's own disclosure as a C2SP tlog-proof bundle (its record and salt, the proof,
    the covering checkpoint with its cosignatures), to keep and check with any verifier."""
    return tlog_proof(session, _own_leaf(session, buyer_id, disclosure_id), signer)


def disclosure_proof(
    session: Session, signer: HeadSigner, buyer_id: str, disclosure_id: str
) -> dict[str, Any]:
    """The proof of one of the buyer's disclosures; NotFound for anyone else's, exactly like
    for one that does not exist. May sign a new head (in the caller's transaction)."""
    index = _own_leaf(session, buyer_id, disclosure_id)
    bundle = prove_leaf(session, index, signer)
    leaf = bundle["leaf_data"].encode("utf-8")
    head = SignedHead.from_json(bundle["head"])
    path = [bytes.fromhex(h) for h in bundle["inclusion_proof"]["hashes"]]
    inclusion = explain_inclusion(leaf_hash(leaf), index, head.tree_size, path, head.root_hash)
    signature = explain_head(head, signer.public_key)
    key = public_key_json(signer.public_key)
    return {
        "disclosure_id": disclosure_id,
        "leaf": _b64(leaf),
        # What the private leaf commits to (None once erased): the browser checks that
        # SHA-256(salt || record) is the leaf's commitment.
        "record": None if bundle["record"] is None else _canonical(bundle["record"]),
        "salt": bundle["salt"],
        "leaf_index": index,
        "tree_size": head.tree_size,
        "audit_path": [h.hex() for h in path],
        "head": bundle["head"],
        "public_key": {
            "algorithm": key["algorithm"],
            "key_id": key["key_id"],
            "raw": key["public_key"],
        },
        "server_check": {
            "inclusion": inclusion or "ok",
            "signature": signature or "ok",
            "verified": inclusion is None and signature is None,
        },
    }


__all__ = ["disclosure_bundle", "disclosure_proof"]
