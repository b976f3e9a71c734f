"""Privacy officers sign in with a password and get a session token that expires."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, status
from pydantic import BaseModel, ConfigDict, Field

from databorder.api.deps import RuntimeDep, bearer
from databorder.api.observability import TemplatedRoute
from databorder.api.problems import problems
from databorder.auth.services import Officers

router = APIRouter(route_class=TemplatedRoute, tags=["officer"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    token: str
    expires_at: datetime


@router.post(
    "/v1/officer/login",
    summary="Sign in; the token is a bearer credential",
    responses=problems((401, "wrong username or password, or a disabled account")),
)
def login(body: LoginIn, rt: RuntimeDep) -> SessionOut:
    with rt.sessions.begin() as session:
        token, expires = Officers(session).login(body.username, body.password, rt.now())
        return SessionOut(token=token, expires_at=expires)


@router.post(
    "/v1/officer/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the session whose token is presented",
)
def logout(rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    with rt.sessions.begin() as session:
        token = bearer(authorization)
        if token:
            Officers(session).logout(token, rt.now())
