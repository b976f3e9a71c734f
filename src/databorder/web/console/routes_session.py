"""Signing an officer in to the console with a password, and out again.

The password goes through the same `SignIn` as `POST /v1/officer/login`: the per-address token
bucket first, then the per-account lockout kept in the database, scrypt outside any
transaction. A right password on an account without the `officer` scope opens no console (its
session is ended at once).
"""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from databorder.api.deps import RuntimeDep
from databorder.api.ratelimit import RateLimiter
from databorder.auth.services import Officers, Scope, SignInLocked
from databorder.errors import NotFound, TooManyRequests, Unauthorized
from databorder.web.console.base import (
    SIGN_IN,
    ConsoleDep,
    ConsoleRoute,
    Form,
    SignedIn,
    end_token,
    read_form,
    safe_next,
    set_session_cookie,
    sign_in_page,
)
from databorder.web.console.session import COOKIE, read, start

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
_MAX_USERNAME = 64
_MAX_PASSWORD = 200


@router.get(SIGN_IN)
def sign_in_form(request: Request) -> Response:
    reason = "signed_out" if request.query_params.get("out") == "1" else "none"
    nxt = safe_next(request.query_params.get("next"))
    return sign_in_page(request, reason=reason, status=200, next_path=nxt)


def _minutes(seconds: float) -> int:
    return max(1, -(-int(seconds) // 60))


@router.post(SIGN_IN)
async def sign_in(request: Request, rt: RuntimeDep, con: ConsoleDep) -> Response:
    fields = dict(await read_form(request, ""))
    username = fields.get("username", "").strip()
    password = fields.get("password", "")
    nxt = safe_next(fields.get("next"))
    if not username or not password or len(username) > _MAX_USERNAME:
        return sign_in_page(
            request, reason="missing", status=422, username=username[:_MAX_USERNAME], next_path=nxt
        )
    if len(password) > _MAX_PASSWORD:
        return sign_in_page(request, reason="wrong", status=401, username=username, next_path=nxt)
    limiter: RateLimiter = request.app.state.login_limiter
    now = rt.now()
    try:
        limiter.take(request.client.host if request.client else "unknown")
        token, _ = await run_in_threadpool(rt.sign_in.login, username, password, now)
    except SignInLocked as exc:
        return sign_in_page(
            request,
            reason="locked",
            status=429,
            username=username,
            retry_minutes=_minutes(exc.retry_after),
            next_path=nxt,
        )
    except TooManyRequests as exc:
        return sign_in_page(
            request,
            reason="throttled",
            status=429,
            username=username,
            retry_minutes=_minutes(exc.retry_after),
            next_path=nxt,
        )
    except Unauthorized:
        return sign_in_page(request, reason="wrong", status=401, username=username, next_path=nxt)
    with rt.reads() as db:
        principal = Officers(db).principal(token, now)
    if Scope.OFFICER.value not in principal.scopes:
        with rt.sessions.begin() as db:
            Officers(db).logout(token, now)
        return sign_in_page(request, reason="not_officer", status=403)
    earlier = read(request.cookies.get(COOKIE), con.key, now).session
    if earlier is not None:  # signing in again ends the session the browser had
        end_token(rt, earlier.token)
    response = RedirectResponse(nxt, status_code=303)
    set_session_cookie(response, start(username, token, now), con)
    return response


@router.post("/console/signout")
def sign_out(request: Request, rt: RuntimeDep, form: Form) -> Response:
    end_token(rt, form.officer.session.token)
    request.state.console_session = None
    request.state.console_end = True
    return RedirectResponse(SIGN_IN + "?out=1", status_code=303)


# Included after every other console router (see __init__.ROUTERS).
fallback = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


@fallback.get("/console/{rest:path}")
def unknown_page(rest: str, officer: SignedIn) -> None:
    """Any other address under /console: 404 after the sign-in check, so that which
    addresses exist cannot be learnt without signing in."""
    raise NotFound("page", f"/console/{rest}")
