"""A disclosure's log proof, as the buyer's browser checks it: the C2SP tlog-proof bundle.

The same bundle a regulator gets (`GET /v1/log/proof`, `ledger/bundle.py`): the record and its
salt, the leaf's index, the inclusion proof and the largest witnessed checkpoint that holds it,
with its cosignatures. The browser (static/me-proof.js) checks it with Web Crypto alone:
rebuilds the private leaf from the record and salt, checks the record is this disclosure, folds
the inclusion proof to the checkpoint's root (RFC 9162 2.1.3.2), verifies the log's Ed25519
signature on the checkpoint under the log's vkey, and counts the cosignatures of the witnesses
the marketplace names. The server's own check of the same bundle rides along, labelled as the
server's, for browsers without Ed25519.

The vkeys come from the same server: a buyer who wants to exclude a lying server compares them
with those the marketplace and the witnesses publish (`GET /v1/log/key`, docs/ledger.md).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.errors import NotFound
from databorder.gateway.models import Disclosure
from databorder.ledger.bundle import verify_bundle
from databorder.ledger.checkpoint import Policy
from databorder.ledger.note import NoteError, Verifier
from databorder.ledger.prove import tlog_proof
from databorder.ledger.signing import HeadSigner


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
    session: Session,
    signer: HeadSigner,
    witnesses: Sequence[Verifier],
    buyer_id: str,
    disclosure_id: str,
    now: int,
) -> dict[str, Any]:
    """The bundle with the keys to check it by, and the server's own check of it. NotFound for
    anyone else's disclosure, exactly like for one that does not exist. May sign a new head."""
    bundle = disclosure_bundle(session, signer, buyer_id, disclosure_id)
    try:
        proven = verify_bundle(bundle, Policy(signer.verifier, tuple(witnesses)), now)
        problem, cosigned = None, len(proven.trusted.cosignatures)
    except NoteError as error:
        problem, cosigned = str(error), 0
    return {
        "disclosure_id": disclosure_id,
        "bundle": bundle,
        "log_vkey": signer.verifier.vkey,
        "witnesses": [w.vkey for w in witnesses],
        "server_check": {
            "verified": problem is None,
            "problem": problem,
            "cosignatures": cosigned,
        },
    }


__all__ = ["disclosure_bundle", "disclosure_proof"]
