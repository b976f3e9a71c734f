"""HTTP routes of the log: the signed head, the public key, inclusion and consistency proofs.

Routes only translate: query parameters in, the stored log's answer out, its InvalidInput
becoming the app's 422 problem (RFC 9457) with the field and reason under `errors`. Each
request is one transaction; `GET /v1/log/head` may write, because it signs a new head when the
tree has grown since the last one (heads on demand). The answers are made by the ledger's own
codecs (`SignedHead.to_json`, `public_key_json`); the models below describe them for the
OpenAPI document, and a test holds the two to the same shape.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger.signing import HeadSigner, public_key_json
from databorder.model.fields import LogPosition

NonNegative = Annotated[LogPosition, Query()]
Hashes = Annotated[list[str], Field(description="Lowercase hex SHA-256 hashes, in RFC 9162 order")]


class SignedHeadOut(BaseModel):
    tree_size: int
    root_hash: str = Field(description="Lowercase hex SHA-256 root of the first tree_size leaves")
    timestamp: str = Field(description="RFC 3339, UTC, milliseconds, e.g. 2026-11-23T10:00:00.123Z")
    key_id: str = Field(description="Lowercase hex SHA-256 of the raw Ed25519 public key")
    signature: str = Field(
        description="Base64 Ed25519 signature over the canonical JSON of the other four fields"
    )


class PublicKeyOut(BaseModel):
    algorithm: str = Field(description="Always Ed25519")
    key_id: str
    public_key: str = Field(description="The raw 32-byte key, base64")
    public_key_pem: str = Field(description="The same key as PEM (SubjectPublicKeyInfo)")


class InclusionProofOut(BaseModel):
    index: int
    tree_size: int
    hashes: Hashes


class ConsistencyProofOut(BaseModel):
    first: int
    second: int
    hashes: Hashes


def make_router(
    sessions: sessionmaker[Session],
    signer: HeadSigner,
    route_class: type[APIRoute] = APIRoute,
    reads: sessionmaker[Session] | None = None,
) -> APIRouter:
    """Public routes: anyone may check the log; they reveal hashes and signed heads only.

    Proofs only read: with `reads` (read-only sessions, store/db.py) they never wait for a
    writer. The head may sign a new one, so it takes `sessions`.
    """
    reads = reads or sessions
    log = signer.log
    key_json = PublicKeyOut.model_validate(public_key_json(signer.public_key))
    router = APIRouter(prefix="/v1/log", tags=["log"], route_class=route_class)

    @router.get("/head")
    def head() -> SignedHeadOut:
        with sessions.begin() as session:
            return SignedHeadOut.model_validate(signer.current(session).to_json())

    @router.get("/key")
    def key() -> PublicKeyOut:
        return key_json

    @router.get("/proof/inclusion")
    def inclusion(index: NonNegative, tree_size: NonNegative) -> InclusionProofOut:
        with reads.begin() as session:
            proof = log.inclusion_proof(session, index, tree_size)
        return InclusionProofOut(index=index, tree_size=tree_size, hashes=[h.hex() for h in proof])

    @router.get("/proof/consistency")
    def consistency(first: NonNegative, second: NonNegative) -> ConsistencyProofOut:
        with reads.begin() as session:
            proof = log.consistency_proof(session, first, second)
        return ConsistencyProofOut(first=first, second=second, hashes=[h.hex() for h in proof])

    return router
