"""FastAPI dependencies: the runtime, and who is calling.

Routes open their own transaction inside the endpoint (`with rt.sessions.begin()`), so the
commit happens in the same thread as the work. A yield-dependency would commit in its teardown,
one more hop through the thread pool and the event loop, and under load the log's row lock was
held across that hop by every disclosure in turn; these dependencies only read, in short
sessions of their own.
"""

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from databorder.auth.services import Principal, Scope, ServiceKeys
from databorder.registry.models import Recipient
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def calling_recipient(
    rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> Recipient:
    with rt.sessions() as session:  # a short read of its own, closed before the route runs
        return RegistryService(session).authenticate(bearer(authorization))


RecipientDep = Annotated[Recipient, Depends(calling_recipient)]


def bearer(authorization: str | None) -> str | None:
    if authorization is None or not authorization.startswith("Bearer "):
        return None
    return authorization.removeprefix("Bearer ").strip()


def requires(scope: Scope) -> Any:
    """A dependency that admits a service key or an officer session holding `scope`."""

    def check(rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> Principal:
        with rt.sessions() as session:  # a short read of its own, closed before the route runs
            return ServiceKeys(session).require(bearer(authorization), scope, rt.now())

    return Depends(check)
