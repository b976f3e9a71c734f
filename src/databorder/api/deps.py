"""FastAPI dependencies: the runtime, a transaction per request, the calling recipient."""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from databorder.auth.services import Principal, Scope, ServiceKeys
from databorder.registry.models import Recipient
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def transaction(rt: RuntimeDep) -> Iterator[Session]:
    """One transaction per request: committed if the route returns, rolled back if it raises."""
    with rt.sessions.begin() as session:
        yield session


SessionDep = Annotated[Session, Depends(transaction)]


def calling_recipient(
    session: SessionDep, authorization: Annotated[str | None, Header()] = None
) -> Recipient:
    return RegistryService(session).authenticate(bearer(authorization))


RecipientDep = Annotated[Recipient, Depends(calling_recipient)]


def bearer(authorization: str | None) -> str | None:
    if authorization is None or not authorization.startswith("Bearer "):
        return None
    return authorization.removeprefix("Bearer ").strip()


def requires(scope: Scope) -> Any:
    """A dependency that admits a service key or an officer session holding `scope`."""

    def check(
        session: SessionDep, rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None
    ) -> Principal:
        return ServiceKeys(session).require(bearer(authorization), scope, rt.now())

    return Depends(check)
