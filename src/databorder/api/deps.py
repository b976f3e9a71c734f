"""FastAPI dependencies: the runtime, and who is calling.

Routes open their own transaction inside the endpoint (`with rt.sessions.begin()`), so the
commit happens in the same thread as the work. A yield-dependency would commit in its teardown,
one more hop through the thread pool and the event loop, and under load the log's row lock was
held across that hop by every disclosure in turn; these dependencies only read, in short
read sessions of their own (`rt.reads`), which on SQLite never wait for a writer.
"""

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from databorder.api.observability import TemplatedRoute
from databorder.api.problems import problems
from databorder.auth.services import Principal, Scope, ServiceKeys
from databorder.auth.tokens import hash_secret, presented
from databorder.runtime import Runtime


async def runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain `def` dependency in the thread pool, a hop (~0.1 ms of the
    # event loop's time) that every request paid only to read an attribute.
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def bearer(authorization: str | None) -> str | None:
    if authorization is None or not authorization.startswith("Bearer "):
        return None
    return authorization.removeprefix("Bearer ").strip()


def requires(scope: Scope) -> Any:
    """A dependency that admits a service key or an officer session holding `scope`."""

    def check(rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> Principal:
        # A short read of its own, closed before the route runs.
        return require_scope(rt, bearer(authorization), scope)

    return Depends(check)


def scoped_router(scope: Scope, tag: str) -> APIRouter:
    """A router whose every route needs `scope`, and says so: its 401 and 403 are documented."""
    return APIRouter(
        route_class=TemplatedRoute,
        tags=[tag],
        dependencies=[requires(scope)],
        responses=problems(401, 403),
    )


class AdmittedRecently:
    """Credentials that passed a full check in the last `ttl` seconds, by hash and scope.

    Only for routes whose work re-checks the credential inside its own transaction (the group
    commit of POST /v1/disclosures): the cache merely lets a request past the front door, so
    that a caller with a bad credential hears 401/403 before anything about its body, without
    every good request paying for a database round trip of its own. It never grants access:
    a key revoked a moment ago is refused by the transaction, not by this cache.
    """

    def __init__(self, ttl: float = 30.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: dict[tuple[str, Scope], float] = {}

    def __contains__(self, entry: tuple[str, Scope]) -> bool:
        seen = self._seen.get(entry)
        return seen is not None and time.monotonic() - seen < self.ttl

    def add(self, entry: tuple[str, Scope]) -> None:
        if len(self._seen) >= self.size:
            self._seen.clear()  # bounded; refilling costs one check per credential
        self._seen[entry] = time.monotonic()


def admits(scope: Scope) -> Any:
    """A dependency answering the bearer credential once it holds `scope`; the route's own
    transaction must check it again (see AdmittedRecently)."""

    async def check(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
        key = presented(bearer(authorization))
        entry = (hash_secret(key), scope)
        admitted: AdmittedRecently = request.app.state.admitted
        if entry not in admitted:
            rt: Runtime = request.app.state.runtime
            await run_in_threadpool(require_scope, rt, key, scope)
            admitted.add(entry)
        return key

    return Depends(check)


def require_scope(rt: Runtime, key: str | None, scope: Scope) -> Principal:
    """The caller behind `key` if it holds `scope`, checked in a short read session."""
    with rt.reads() as session:
        return ServiceKeys(session).require(key, scope, rt.now())
