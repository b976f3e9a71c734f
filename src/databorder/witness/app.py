"""The witness's HTTP face: `POST /add-checkpoint` per C2SP `tlog-witness`, and who it is.

One request is judged against the state it read and stored by compare-and-set; if another
request moved the state in between, it is judged again against the new state (a few times at
most), so the answer always matches what was stored. Refusals from a log the witness follows
(403 and 422) are kept as evidence and logged: a 422 is a fork, the event witnesses exist for.
"""

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from databorder.ledger.note import NoteError, SignatureType, Verifier, check_key_name, parse_vkey
from databorder.ledger.signing import load_signing_key
from databorder.model import utcnow
from databorder.store.db import make_engine
from databorder.witness.protocol import MAX_BODY_BYTES, Answer, judge, origin_of
from databorder.witness.store import WitnessStore

LOGGER = logging.getLogger("databorder.witness")
_ATTEMPTS = 5


@dataclass(frozen=True)
class Witness:
    """A witness's identity (name and key), the logs it follows and its store."""

    name: str
    key: Ed25519PrivateKey
    logs: Mapping[str, Sequence[Verifier]]
    store: WitnessStore
    clock: Callable[[], datetime]

    @property
    def verifier(self) -> Verifier:
        return Verifier.of(self.name, SignatureType.COSIGNATURE_V1, self.key.public_key())

    def add_checkpoint(self, body: bytes) -> Answer:
        origin = origin_of(body)
        for _ in range(_ATTEMPTS):
            now = self.clock()
            state = self.store.remembered(origin) if origin and origin in self.logs else None
            answer = judge(body, self.logs, state, self.name, self.key, int(now.timestamp()))
            if answer.remember is None or answer.checkpoint is None:
                if origin in self.logs and answer.status == 422:
                    # Signed by the log and inconsistent: the evidence of a fork, kept. (A 403
                    # is not the log's; keeping those would let anyone fill the store.)
                    self.store.refuse(str(origin), answer.status, answer.body.strip(), body, now)
                    LOGGER.critical("refused a checkpoint of %s: %s", origin, answer.body.strip())
                return answer
            note = body.partition(b"\n\n")[2] + answer.body.encode()
            if self.store.advance(answer.checkpoint.origin, state, answer.remember, note, now):
                return answer
        return Answer(503, "the log's state kept moving; retry\n")


def build_witness(
    name: str, key_path: Path, log_vkeys: Sequence[str], database_url: str
) -> Witness:
    """A witness from its key file, the vkeys of the logs it follows and its store's URL.

    Raises ValueError (a NoteError) for a vkey that is malformed or not a log's note key, and
    KeyFileError for a missing or exposed key file: a witness never starts half-configured.
    """
    logs: dict[str, list[Verifier]] = {}
    for text in log_vkeys:
        verifier = parse_vkey(text)
        if verifier.kind is not SignatureType.ED25519:
            raise NoteError(f"{verifier.name}: a log's vkey must be an Ed25519 note key (0x01)")
        logs.setdefault(verifier.name, []).append(verifier)
    if not logs:
        raise NoteError("a witness follows at least one log")
    store = WitnessStore(make_engine(database_url))
    return Witness(check_key_name(name), load_signing_key(key_path), logs, store, utcnow)


def make_app(witness: Witness) -> FastAPI:
    app = FastAPI(title=f"databorder witness {witness.name}", docs_url=None, redoc_url=None)

    def too_large() -> Response:
        return Response(f"request body over {MAX_BODY_BYTES} bytes\n", 413)

    by_hash = {hashlib.sha256(origin.encode()).hexdigest(): origin for origin in witness.logs}

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return too_large()
        body = bytearray()
        async for chunk in request.stream():  # chunked bodies have no length: capped as read
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return too_large()
        answer = await run_in_threadpool(witness.add_checkpoint, bytes(body))  # the store blocks
        # Set as is: Starlette would add "; charset=utf-8" to a text/* media type, and clients
        # compare 409's text/x.tlog.size exactly.
        return Response(answer.body, answer.status, headers={"Content-Type": answer.content_type})

    @app.get("/{origin_hash}/checkpoint")
    def latest(origin_hash: str) -> Response:
        """tlog-witness's monitor retrieval: the latest checkpoint cosigned for a log."""
        origin = by_hash.get(origin_hash)
        found = None if origin is None else witness.store.latest(origin)
        if found is None:
            return Response("no checkpoint cosigned for that log\n", 404)
        return Response(
            found,
            headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache"},
        )

    @app.get("/")
    def about() -> JSONResponse:
        return JSONResponse(
            {"name": witness.name, "vkey": witness.verifier.vkey, "logs": sorted(witness.logs)}
        )

    return app
