"""FastAPI dependencies: the runtime, a transaction per request, the calling recipient."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from databorder.errors import Unauthorized
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
    if authorization is None or not authorization.startswith("Bearer "):
        raise Unauthorized("missing API key: send it as 'Authorization: Bearer <key>'")
    return RegistryService(session).authenticate(authorization.removeprefix("Bearer ").strip())


RecipientDep = Annotated[Recipient, Depends(calling_recipient)]
