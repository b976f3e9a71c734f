"""The verifiable disclosure log: RFC 9162 Merkle tree, signed tree heads, proofs.

The pure math (`merkle`) imports nothing of the rest; the stored log, signing, verification
and the HTTP routes build on it. The ledger knows nothing of what its leaves record: mapping a
disclosure to its leaf is its callers' business (`databorder log prove --disclosure`), so no
module here imports the gateway. See docs/ledger.md.
"""

from databorder.ledger.canonical import canonical_json
from databorder.ledger.log import StoredLog
from databorder.ledger.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from databorder.ledger.prove import prove_leaf
from databorder.ledger.signing import (
    HeadSigner,
    SignedHead,
    create_signing_key,
    ensure_signing_key,
    load_signing_key,
    verify_head,
)
from databorder.ledger.verify import Verdict, VerifyResult, verify_log

__all__ = [
    "HeadSigner",
    "SignedHead",
    "StoredLog",
    "Verdict",
    "VerifyResult",
    "canonical_json",
    "consistency_proof",
    "create_signing_key",
    "ensure_signing_key",
    "inclusion_proof",
    "leaf_hash",
    "load_signing_key",
    "prove_leaf",
    "root_hash",
    "verify_consistency",
    "verify_head",
    "verify_inclusion",
    "verify_log",
]
