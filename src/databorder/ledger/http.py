"""HTTP routes of the log: the signed head, the public key, inclusion and consistency proofs.

Routes only translate: query parameters in, the stored log's answer out, its InvalidInput
becoming the app's 422 problem (RFC 9457) with the field and reason under `errors`. Each
request is one transaction; `GET /v1/log/head` may write, because it signs a new head when the
tree has grown since the last one (heads on demand). The answers are made by the ledger's own
codecs (`SignedHead.to_json`, `public_key_json`); the models below describe them for the
OpenAPI document, and a test holds the two to the same shape.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response

from databorder.errors import FieldProblem, InvalidInput
from databorder.ledger.signing import HeadSigner, public_key_json
from databorder.ledger.tiles import TileError, parse_tile_path
from databorder.ledger.witnessing import cosigned_checkpoint
from databorder.model.fields import LogPosition

NonNegative = Annotated[LogPosition, Query()]
# "entries" for entry bundles: leaves are private ({type, id, commitment}), so their bytes may
# be published; a bundle holding a leaf from before private leaves is not served (log.tile).
TileLevel = Annotated[
    str, Path(pattern=r"^(0|[1-9][0-9]?|entries)$", description="Tile level 0-63, or entries")
]
NOTE_TYPE = "text/plain; charset=utf-8"
TILE_TYPE = "application/octet-stream"
IMMUTABLE = "public, max-age=31536000, immutable"  # a tile of a given width never changes
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
    origin: str = Field(description="The log's name in its checkpoints (C2SP tlog-checkpoint)")
    vkey: str = Field(
        description="The checkpoint key as a C2SP signed-note verifier key: "
        "<origin>+<hex key id>+<base64(0x01 || key)>"
    )


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
    key_json = PublicKeyOut.model_validate(
        {
            **public_key_json(signer.public_key),
            "origin": signer.origin,
            "vkey": signer.verifier.vkey,
        }
    )
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

    @router.get(
        "/checkpoint",
        summary="The latest signed checkpoint (C2SP tlog-checkpoint, a signed note)",
        response_class=Response,
        responses={200: {"content": {NOTE_TYPE: {"schema": {"type": "string"}}}}},
    )
    def checkpoint() -> Response:
        with sessions.begin() as session:
            note = cosigned_checkpoint(session, signer, signer.current(session))
        return Response(note.encode(), media_type=NOTE_TYPE, headers={"Cache-Control": "no-cache"})

    @router.get(
        "/tile/{level}/{index:path}",
        summary="A tile of the tree's hashes (C2SP tlog-tiles): tile/<L>/<N>[.p/<W>]",
        response_class=Response,
        responses={
            200: {"content": {TILE_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
        },
    )
    def tile(level: TileLevel, index: str) -> Response:
        try:
            wanted = parse_tile_path(f"tile/{level}/{index}")
        except TileError as error:
            raise InvalidInput([FieldProblem("path", str(error))]) from error
        with reads.begin() as session:
            body = log.tile(session, wanted)
        return Response(body, media_type=TILE_TYPE, headers={"Cache-Control": IMMUTABLE})

    return router
