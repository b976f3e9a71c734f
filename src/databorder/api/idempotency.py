"""Idempotency-Key on the routes that create: a retried request hears the first answer.

A client whose connection drops after POST /v1/disclosures cannot tell whether the disclosure
was made, and a retry made a second grant (17 in one attack run, issue 11). A client that sends
`Idempotency-Key: <1-255 printable ASCII characters>` on a route named in `CREATING` gets:

- the first request reserves the key (a pending row, committed) before the route runs, and its
  answer is kept once it is known, before it is sent;
- the same key with the same request (method, path, query, body): that answer again, status and
  body, with `Idempotent-Replayed: true`; nothing runs twice;
- the same key with another request: 422 naming the header;
- while the first still runs: 409 with `Retry-After: 1`. A reservation older than
  `ABANDONED_AFTER` (its process died) is taken over by the next retry;
- a 5xx answer or an exception releases the reservation, so a retry runs again; so do 401, 403
  and 429, which say the caller may not do it (now), not what was done. Other 4xx are kept.

Keys are the caller's own: a row is found by SHA-256 over (credential, method, path, key), so
two callers never hear each other's answers, and one key on /v1/buyers/b-1/suspend and on
/v1/buyers/b-2/suspend names two requests. The answer is sealed (AES-256-GCM, `vault/crypto.py`)
under a key derived by HKDF-SHA256 from the same values, which the database never holds: the
answer of POST /v1/disclosures carries a live grant token, stored nowhere else but hashed, and
a reader of the database cannot recover it (nor tell whose row is whose). Rows are kept
`settings.idempotency_ttl_hours`, then deleted by the sweeper (`forget_expired`).

Only a caller whose credential checks out gets a row; anyone else passes through to the route,
which answers its own 401. An unauthenticated flood must not write to the database.

POST /v1/disclosures keeps its answer in the group commit that records the disclosure
(`Keeper`), so a process killed after that commit leaves the answer to replay. For the other
routes a process that dies after the route committed and before the answer was kept leaves the
reservation pending; retries hear 409 for `ABANDONED_AFTER`, then run again.

Plain ASGI middleware (observability._Observed says why), installed inside BodyLimit, which
caps the body this reads, and inside _Observed, which logs a replay under its route template.
"""

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from databorder.api import problems
from databorder.api.deps import AdmittedRecently, bearer
from databorder.api.idempotency_models import IdempotencyRecord
from databorder.api.observability import LOGGER
from databorder.auth.services import Scope as KeyScope
from databorder.auth.services import ServiceKeys
from databorder.auth.tokens import hash_secret
from databorder.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from databorder.runtime import Runtime
from databorder.vault.crypto import open_sealed, seal

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# A pending reservation this old belongs to a request that will not answer (its process died).
ABANDONED_AFTER = timedelta(seconds=60)

# The routes that create or change something, where a retry must not do it twice. A route
# renamed without this list refuses to start (`_Idempotent`); a test holds every POST and
# DELETE route to this list or to NOT_CREATING.
CREATING: tuple[tuple[str, str], ...] = (
    ("POST", "/v1/disclosures"),
    ("POST", "/v1/disclosures/import"),
    ("POST", "/v1/buyers"),
    ("POST", "/v1/orders"),
    ("POST", "/v1/orders/{order_id}/delivered"),
    ("POST", "/v1/consents"),
    ("POST", "/v1/consents/{consent_id}/withdraw"),
    ("POST", "/v1/buyers/{buyer_id}/suspend"),
    ("DELETE", "/v1/buyers/{buyer_id}"),
    ("POST", "/v1/recipients"),
    ("POST", "/v1/recipients/import"),
    ("POST", "/v1/recipients/{recipient_id}/keys"),
    ("POST", "/v1/notices/publish"),
    ("POST", "/v1/suspension-orders"),
    ("POST", "/v1/suspension-orders/{order_id}/end"),
    ("POST", "/v1/rights/tasks/{task_id}/redeliver"),
    ("POST", "/v1/rights/requests/{request_id}/answer"),
    ("POST", "/v1/audit/runs"),
    ("POST", "/v1/messages"),
)
# POST and DELETE routes that take no key, and why.
NOT_CREATING: dict[tuple[str, str], str] = {
    ("POST", "/v1/decisions"): "decides from its body alone and writes nothing",
    ("POST", "/v1/buyers/lookup"): "only reads",
    ("POST", "/v1/officer/login"): "no credential to keep the key under; throttled instead",
    ("POST", "/v1/officer/logout"): "idempotent by itself",
    ("POST", "/v1/seller/rights/{task_id}/ack"): "idempotent by itself (twice is fine)",
}

_METHODS = frozenset(method for method, _ in CREATING)
_KEY = re.compile(rb"[\x20-\x7e]{1,255}")
_KEY_REASON = "expected 1-255 printable ASCII characters, sent once"
# Answers that say the caller may not do it (now), not what was done: not kept.
_NOT_KEPT = frozenset({401, 403, 429})
# What a replay repeats besides the status and the body. Nothing that names a person or a
# record: these are stored in clear, the body only sealed.
_KEPT_HEADERS = ("content-type",)
_ATTEMPTS = 3


# The pure part: what identifies a keyed request, and its sealed answer.


@dataclass(frozen=True, slots=True)
class Keyed:
    """A keyed request as the table knows it. `secret` seals its answer and is never stored."""

    digest: str
    request_sha256: str
    secret: bytes = field(repr=False)

    @property
    def context(self) -> bytes:
        """Binds a sealed answer to its row: copied into another row, it does not open."""
        return f"databorder/v1/idempotency/{self.digest}".encode()


def keyed(credential: str, method: str, path: str, key: str, query: bytes, body: bytes) -> Keyed:
    """The row's digest, the request's fingerprint and the answer's key, from what was sent."""
    material = json.dumps(
        [credential, method, path, key], ensure_ascii=False, separators=(",", ":")
    ).encode()
    request = hashlib.sha256(len(query).to_bytes(8, "big") + query + body).hexdigest()
    secret = HKDF(
        algorithm=SHA256(), length=32, salt=None, info=b"databorder/v1/idempotency/answer"
    ).derive(material)
    return Keyed(hashlib.sha256(material).hexdigest(), request, secret)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)


class Verdict(StrEnum):
    RESERVED = "reserved"  # the key is this request's: run it
    REPLAY = "replay"  # answered before: send that answer
    IN_FLIGHT = "in_flight"  # the first request still runs: 409
    MISMATCH = "mismatch"  # the key was used for another request: 422


@dataclass(frozen=True, slots=True)
class Claim:
    verdict: Verdict
    lease: str | None = None  # RESERVED: what keeping or releasing the key must present
    answer: Answer | None = None  # REPLAY


def standing(
    record: IdempotencyRecord | None, request_sha256: str, at: datetime, abandoned_after: timedelta
) -> Verdict:
    """What a request with this key may do, given the row stored under it (if any) at `at`."""
    if record is None or record.expires_at <= at:
        return Verdict.RESERVED  # never used, or forgotten
    if record.request_sha256 != request_sha256:
        return Verdict.MISMATCH
    if record.lease is None:
        return Verdict.REPLAY
    if at - record.created_at < abandoned_after:
        return Verdict.IN_FLIGHT
    return Verdict.RESERVED  # abandoned: taken over


# The table.


class Reservations:
    """Reserve a key, then keep the answer or release the key; each in a transaction of its own."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        ttl: timedelta,
        abandoned_after: timedelta = ABANDONED_AFTER,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.ttl = ttl
        self.abandoned_after = abandoned_after

    def reserve(self, keyed: Keyed) -> Claim:
        for _ in range(_ATTEMPTS):
            try:
                with self.sessions.begin() as session:
                    return self._reserve(session, keyed, self.clock())
            except IntegrityError:
                continue  # another request inserted this digest first: look again
        return Claim(Verdict.IN_FLIGHT)

    def _reserve(self, session: Session, keyed: Keyed, at: datetime) -> Claim:
        # FOR UPDATE on PostgreSQL, so two takers of an abandoned or expired row queue and the
        # second sees the first's lease; SQLite's transactions are serialised already.
        record = session.get(IdempotencyRecord, keyed.digest, with_for_update=True)
        verdict = standing(record, keyed.request_sha256, at, self.abandoned_after)
        if verdict is Verdict.REPLAY:
            assert record is not None  # noqa: S101 (standing answers REPLAY only for a row)
            return Claim(verdict, answer=_opened(keyed, record))
        if verdict is not Verdict.RESERVED:
            return Claim(verdict)
        lease = secrets.token_hex(16)
        fresh = {
            "request_sha256": keyed.request_sha256,
            "lease": lease,
            "status": None,
            "headers": None,
            "answer": None,
            "created_at": at,
            "expires_at": at + self.ttl,
        }
        if record is None:
            session.add(IdempotencyRecord(digest=keyed.digest, **fresh))
        else:
            for name, value in fresh.items():
                setattr(record, name, value)
        session.flush()
        return Claim(verdict, lease=lease)

    def keep(self, keyed: Keyed, lease: str, answer: Answer) -> None:
        """Store the answer under the key, if this request still holds it."""
        with self.sessions.begin() as session:
            _keep(session, keyed, lease, answer, self.clock() + self.ttl)

    def keeper(self, keyed: Keyed, lease: str) -> "Keeper":
        return Keeper(keyed, lease, self.clock, self.ttl)

    def release(self, keyed: Keyed, lease: str) -> None:
        """Forget the reservation, if this request still holds it: a retry runs again."""
        with self.sessions.begin() as session:
            session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.digest == keyed.digest, IdempotencyRecord.lease == lease
                )
            )


def _keep(session: Session, keyed: Keyed, lease: str, answer: Answer, expires_at: datetime) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.digest == keyed.digest, IdempotencyRecord.lease == lease)
        .values(
            lease=None,
            status=answer.status,
            headers=answer.headers,
            answer=seal(keyed.secret, answer.body, keyed.context),
            expires_at=expires_at,
        )
    )


@dataclass(frozen=True, slots=True)
class Keeper:
    """Keeps a keyed request's answer in the transaction that does the request's work.

    The middleware keeps an answer after the route committed; a process that dies between the
    two leaves the key pending, and the retry, once the reservation counts as abandoned, would
    disclose again (the crash harness saw it). POST /v1/disclosures hands this to its group
    commit (request.state.idempotency), which keeps the answer with the disclosure: both
    commit, or neither. The middleware's own keep then finds the lease gone and does nothing.
    """

    keyed: Keyed
    lease: str
    clock: Callable[[], datetime]
    ttl: timedelta

    def created(self, session: Session, body: bytes) -> None:
        """Keep a 201 JSON answer, inside the caller's transaction."""
        answer = Answer(201, {"content-type": "application/json"}, body)
        _keep(session, self.keyed, self.lease, answer, self.clock() + self.ttl)


def _opened(keyed: Keyed, record: IdempotencyRecord) -> Answer:
    # The table's CHECK holds both for an answered row.
    assert record.status is not None  # noqa: S101
    assert record.answer is not None  # noqa: S101
    body = open_sealed(keyed.secret, record.answer, keyed.context)
    return Answer(record.status, dict(record.headers or {}), body)


def forget_expired(session: Session, at: datetime) -> int:
    """Delete the keys whose time is over (answered or abandoned); how many. For the sweeper."""
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= at))
    return int(getattr(result, "rowcount", 0) or 0)


# The middleware.


class _Idempotent:
    def __init__(
        self, app: ASGIApp, routes: list[BaseRoute], runtime: Runtime, admitted: AdmittedRecently
    ) -> None:
        self.app = app
        # Built when the first request or the lifespan starts, after every route was included;
        # flattened through FastAPI's included routers, in the order the router tries them.
        self.routes: list[RouteContext] = list(iter_route_contexts(routes))
        self.runtime = runtime
        self.admitted = admitted
        ttl = timedelta(hours=runtime.settings.idempotency_ttl_hours)
        self.reservations = Reservations(runtime.sessions, runtime.now, ttl)
        known = {(method, route.path) for route in self.routes for method in route.methods or ()}
        missing = [f"{method} {path}" for method, path in CREATING if (method, path) not in known]
        if missing:
            raise RuntimeError(
                f"api/idempotency.py CREATING names routes the app does not have: {missing}"
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        sent = [value for name, value in scope["headers"] if name == b"idempotency-key"]
        template = self._creating(scope) if sent else None
        credential = bearer(Headers(scope=scope).get("authorization"))
        if template is None or not credential or not await self._authenticated(credential):
            await self.app(scope, receive, send)  # no key, or the route answers 401 itself
            return
        scope.setdefault("state", {})["route"] = template  # for the log, when answered here
        if len(sent) > 1 or not _KEY.fullmatch(sent[0]):
            invalid = InvalidInput.one(HEADER, f"{_KEY_REASON}; got {_described(sent)}")
            await problems.answer(problems.from_error(invalid))(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before it sent its body: nothing to do
        request = keyed(
            credential,
            scope["method"],
            scope["path"],
            sent[0].decode(),
            scope.get("query_string", b""),
            body,
        )
        claim = await run_in_threadpool(self.reservations.reserve, request)
        if claim.verdict is Verdict.RESERVED:
            assert claim.lease is not None  # noqa: S101 (a reservation has its lease)
            await self._run(scope, _replaying(body, receive), send, request, claim.lease)
        elif claim.verdict is Verdict.REPLAY:
            assert claim.answer is not None  # noqa: S101 (a replay has its answer)
            await _replay(claim.answer, send)
        elif claim.verdict is Verdict.IN_FLIGHT:
            busy = Conflict(f"a request with this {HEADER} is still in progress; retry after 1 s")
            await problems.answer(problems.from_error(busy), {"Retry-After": "1"})(
                scope, receive, send
            )
        else:
            reused = InvalidInput.one(
                HEADER,
                "this key was used for another request (another body or query); a new "
                "request needs a new key",
            )
            await problems.answer(problems.from_error(reused))(scope, receive, send)

    def _creating(self, scope: Scope) -> str | None:
        """The template of the route this request reaches, if that route is one that creates."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route.path if (scope["method"], route.path) in CREATING else None
        return None

    async def _authenticated(self, credential: str) -> bool:
        hashed = hash_secret(credential)
        if any((hashed, scope) in self.admitted for scope in KeyScope):
            return True
        return await run_in_threadpool(self._check, credential, hashed)

    def _check(self, credential: str, hashed: str) -> bool:
        try:
            with self.runtime.reads() as session:
                ServiceKeys(session).require(credential, KeyScope.PLATFORM, self.runtime.now())
        except Forbidden:
            return True  # a known credential of other scopes: the route checks its own
        except Unauthorized:
            return False
        self.admitted.add((hashed, KeyScope.PLATFORM))
        return True

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, request: Keyed, lease: str
    ) -> None:
        """Run the route, keep (or release) its answer, then send it."""
        held: list[Message] = []
        settled = False
        # For a route that keeps its answer in its own transaction (POST /v1/disclosures).
        scope.setdefault("state", {})["idempotency"] = self.reservations.keeper(request, lease)

        async def holding(message: Message) -> None:
            nonlocal settled
            if settled:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                settled = True
                await run_in_threadpool(self._settle, request, lease, held)
                for kept in held:
                    await send(kept)

        try:
            await self.app(scope, receive, holding)
        except Exception:
            # The route failed before answering; its transaction rolled back (a failure after
            # its commit, a bug, would be done again by a retry, as without a key).
            if not settled:
                await run_in_threadpool(self._quietly, self.reservations.release, request, lease)
            raise
        # A cancelled request (the server stopping) keeps its reservation: a disclosure queued
        # for group commit may still commit. It counts as abandoned after ABANDONED_AFTER.
        if not settled:
            await run_in_threadpool(self._quietly, self.reservations.release, request, lease)

    def _settle(self, request: Keyed, lease: str, held: list[Message]) -> None:
        start = held[0]
        status = int(start["status"])
        if status >= 500 or status in _NOT_KEPT:
            self._quietly(self.reservations.release, request, lease)
            return
        headers = Headers(raw=start.get("headers", []))
        kept = {name: headers[name] for name in _KEPT_HEADERS if name in headers}
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        self._quietly(self.reservations.keep, request, lease, Answer(status, kept, body))

    @staticmethod
    def _quietly(step: Callable[..., None], *args: Any) -> None:
        # The route's answer goes out whatever happens here: it committed. A reservation left
        # pending by a failure here is taken over after ABANDONED_AFTER.
        try:
            step(*args)
        except Exception:
            LOGGER.exception("idempotency key not updated", extra={"event": "idempotency"})


def _described(sent: list[bytes]) -> str:
    if len(sent) > 1:
        return f"{len(sent)} headers"
    return f"{len(sent[0])} bytes" + (
        "" if all(0x20 <= b <= 0x7E for b in sent[0]) else " with other characters"
    )


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """The body already read, once, then whatever the connection says (a disconnect)."""
    given = False

    async def replaying() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replaying


async def _replay(answer: Answer, send: Send) -> None:
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in answer.headers.items()]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    headers.append((REPLAYED.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def install(app: FastAPI, runtime: Runtime) -> None:
    app.add_middleware(
        _Idempotent, routes=app.router.routes, runtime=runtime, admitted=app.state.admitted
    )


# OpenAPI: the middleware cannot declare a header, so the schema hook adds it (app.py).

_PARAMETER = "#/components/parameters/IdempotencyKey"
_REPLAYED_HEADER = "#/components/headers/IdempotentReplayed"


def documented(schema: dict[str, Any]) -> dict[str, Any]:
    """The document with Idempotency-Key on every route in CREATING, and its 409 and 422."""
    components = schema.setdefault("components", {})
    components.setdefault("parameters", {})["IdempotencyKey"] = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": (
            "Makes a retry safe: the same key with the same request answers the first answer "
            f"again (with `{REPLAYED}: true`) instead of doing it twice; the same key with "
            "another request answers 422. Keys are the caller's own and are kept "
            "for DATABORDER_IDEMPOTENCY_TTL_HOURS (24 by default)."
        ),
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    }
    components.setdefault("headers", {})["IdempotentReplayed"] = {
        "description": "`true` on an answer repeated for a retry under the same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
    paths = schema.get("paths", {})
    for method, path in CREATING:
        operation = paths.get(path, {}).get(method.lower())
        if operation is None:
            continue
        operation.setdefault("parameters", []).append({"$ref": _PARAMETER})
        responses = operation.setdefault("responses", {})
        _also(responses, 409, f"a request with this {HEADER} is still in progress (Retry-After)")
        _also(responses, 422, f"a malformed {HEADER}, or one used for another request")
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {})[REPLAYED] = {"$ref": _REPLAYED_HEADER}
    return schema


def _also(responses: dict[str, Any], status: int, when: str) -> None:
    entry = responses.get(str(status))
    if entry is None:
        responses[str(status)] = problems.problems((status, when))[status]
    else:
        entry["description"] = f"{entry.get('description', '')}; or {when}".removeprefix("; or ")
