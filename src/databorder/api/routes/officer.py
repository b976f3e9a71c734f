"""Privacy officers sign in with a password and get a session token that expires.

Sign-in is open to anyone, so it is throttled twice before any password is checked: per client
address (a token bucket in this worker, `DATABORDER_LOGIN_ATTEMPTS_PER_MINUTE`), and per account
(a lockout after `DATABORDER_LOGIN_MAX_FAILURES` failures, kept in the database for every
worker). Behind a reverse proxy the address is the one uvicorn takes from X-Forwarded-For when
the proxy is trusted (`--forwarded-allow-ips`); otherwise all callers share the proxy's bucket.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from databorder.api.deps import RuntimeDep, bearer
from databorder.api.observability import TemplatedRoute
from databorder.api.problems import problems
from databorder.api.ratelimit import RateLimiter
from databorder.auth.services import Officers
from databorder.model.fields import Line

router = APIRouter(route_class=TemplatedRoute, tags=["officer"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Line = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    token: str
    expires_at: datetime


@router.post(
    "/v1/officer/login",
    summary="Sign in; the token is a bearer credential",
    responses=problems(
        (401, "wrong username or password, or a disabled account"),
        (429, "too many attempts from this address, or too many failures for this account"),
    ),
)
async def login(body: LoginIn, rt: RuntimeDep, request: Request) -> SessionOut:
    # The address check on the event loop: a flood is refused without a thread-pool hop.
    limiter: RateLimiter = request.app.state.login_limiter
    limiter.take(request.client.host if request.client else "unknown")
    sign_in = rt.sign_in.login
    token, expires = await run_in_threadpool(sign_in, body.username, body.password, rt.now())
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
