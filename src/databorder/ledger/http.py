"""HTTP routes of the log: the signed head, the public key, inclusion and consistency proofs.

Routes only translate: query parameters in, the stored log's answer out, its InvalidInput
becoming the app's 422 `{"detail": [{"field", "reason"}]}`. Each request is one transaction;
`GET /v1/log/head` may write, because it signs a new head when the tree has grown since the
last one (heads on demand).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger.signing import HeadSigner, public_key_json

NonNegative = Annotated[int, Query(ge=0)]


def make_router(
    sessions: sessionmaker[Session], signer: HeadSigner, route_class: type[APIRoute] = APIRoute
) -> APIRouter:
    """Public routes: anyone may check the log; they reveal hashes and signed heads only."""
    log = signer.log
    key_json = public_key_json(signer.public_key)
    router = APIRouter(prefix="/v1/log", tags=["log"], route_class=route_class)

    @router.get("/head")
    def head() -> dict[str, Any]:
        with sessions.begin() as session:
            return signer.current(session).to_json()

    @router.get("/key")
    def key() -> dict[str, str]:
        return key_json

    @router.get("/proof/inclusion")
    def inclusion(index: NonNegative, tree_size: NonNegative) -> dict[str, Any]:
        with sessions.begin() as session:
            proof = log.inclusion_proof(session, index, tree_size)
        return {"index": index, "tree_size": tree_size, "hashes": [h.hex() for h in proof]}

    @router.get("/proof/consistency")
    def consistency(first: NonNegative, second: NonNegative) -> dict[str, Any]:
        with sessions.begin() as session:
            proof = log.consistency_proof(session, first, second)
        return {"first": first, "second": second, "hashes": [h.hex() for h in proof]}

    return router
