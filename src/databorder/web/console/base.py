"""What every console page shares: its cookie key, who is signed in, its forms, its route class.

A handler asks for `SignedIn` (an officer whose session token is live and whose account holds
the `officer` scope) or `Posted` (the same, with a form whose CSRF token is bound to the
session). Nothing else admits anyone: a buyer's session cookie is for /me and another key, a
service key or an officer's bearer token is not a cookie, and no credential is no credential.
Every refusal answers the sign-in page (401) or the "not for this account" page (403).

The console's forms are read here rather than by `web.forms.csrf_form` because one of them
carries a whole CSV file (up to `MAX_FORM_BYTES`, 2 MB, where the privacy center's forms are
a few short fields); the check itself is the same `CsrfTokens.check`.
"""

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette.responses import HTMLResponse, Response

from databorder.api.deps import RuntimeDep
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Officers, Scope
from databorder.errors import Forbidden, Unauthorized
from databorder.runtime import Runtime
from databorder.web import language
from databorder.web.console.session import (
    COOKIE,
    COOKIE_PATH,
    IDLE_SECONDS,
    ConsoleSession,
    SessionEnd,
    cookie_value,
    read,
    touched,
)
from databorder.web.csrf import COOKIE as CSRF_COOKIE
from databorder.web.csrf import FIELD, HEADER, CsrfCheck, CsrfTokens, CsrfVerdict
from databorder.web.errors import CsrfRejected
from databorder.web.forms import FORM_MEDIA_TYPE, form_token, keep_token
from databorder.web.render import page
from databorder.web.routing import WebRoute

HOME = "/console"
SIGN_IN = "/console/signin"
MAX_FORM_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Console:
    key: bytes = field(repr=False)  # signs the session cookie (session.derive_key)
    secure_cookies: bool = False


def console(request: Request) -> Console:
    found: Console = request.app.state.console
    return found


ConsoleDep = Annotated[Console, Depends(console)]


class ConsoleSignInRequired(Unauthorized):
    def __init__(self, detail: str, end: SessionEnd | None) -> None:
        super().__init__(f"console sign-in required: {detail}")
        self.end = end


class NotAnOfficer(Forbidden):
    def __init__(self, username: str) -> None:
        super().__init__(f"account {username!r} does not hold the officer scope")
        self.username = username


@dataclass(frozen=True, slots=True)
class Officer:
    """The signed-in officer: whom the console's writes are recorded as done by."""

    session: ConsoleSession

    @property
    def username(self) -> str:
        return self.session.username


def signed_in(request: Request, rt: RuntimeDep, con: ConsoleDep) -> Officer:
    return _signed_in(request, rt, con)


def _signed_in(request: Request, rt: Runtime, con: Console) -> Officer:
    now = rt.now()
    check = read(request.cookies.get(COOKIE), con.key, now)
    if check.session is None or check.end is not None:
        request.state.console_end = check.end is not SessionEnd.NONE
        if check.session is not None:  # idle: its token ends with it, not just the cookie
            end_token(rt, check.session.token)
        raise ConsoleSignInRequired(check.detail, check.end)
    with rt.reads() as db:
        try:
            principal = Officers(db).principal(check.session.token, now)
        except Unauthorized as exc:
            request.state.console_end = True
            raise ConsoleSignInRequired(str(exc), SessionEnd.ENDED) from exc
    if Scope.OFFICER.value not in principal.scopes:
        request.state.console_end = True
        end_token(rt, check.session.token)
        raise NotAnOfficer(check.session.username)
    request.state.console_session = touched(check.session, now)
    return Officer(check.session)


def end_token(rt: Runtime, token: str) -> None:
    """Revoke an officer session token (the console's session ends, and so does its API use)."""
    with rt.sessions.begin() as db:
        Officers(db).logout(token, rt.now())


SignedIn = Annotated[Officer, Depends(signed_in)]


@dataclass(frozen=True, slots=True)
class Posted:
    officer: Officer
    pairs: tuple[tuple[str, str], ...]  # every field in order, repeated checkboxes included

    @property
    def fields(self) -> dict[str, str]:
        return dict(self.pairs)


async def read_form(request: Request, binding: str) -> tuple[tuple[str, str], ...]:
    """The urlencoded form's fields once its CSRF token checks out for `binding` (else 403)."""
    pairs: list[tuple[str, str]] = []
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == FORM_MEDIA_TYPE:
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise CsrfRejected(
                CsrfCheck(
                    CsrfVerdict.MISSING,
                    f"form too large to read: at most {MAX_FORM_BYTES} bytes, got {len(body)}",
                )
            )
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    sent = [value for name, value in pairs if name == FIELD]
    submitted = (sent[0] if sent else None) or request.headers.get(HEADER)
    tokens: CsrfTokens = request.app.state.csrf
    check = tokens.check(request.cookies.get(CSRF_COOKIE), submitted, binding)
    if not check.accepted:
        raise CsrfRejected(check)
    return tuple((name, value) for name, value in pairs if name != FIELD)


async def posted(request: Request, officer: SignedIn) -> Posted:
    return Posted(officer, await read_form(request, officer.session.session_id))


Form = Annotated[Posted, Depends(posted)]


def console_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    officer: Officer | None,
    status: int = 200,
) -> HTMLResponse:
    """A console page; its forms (sign-out at least) carry a token bound to the session."""
    binding = officer.session.session_id if officer is not None else ""
    token = form_token(request, binding)
    values = {"officer": officer, "csrf_token": token, **context}
    response = page(request, template, values, status=status)
    keep_token(response, token, secure=console(request).secure_cookies)
    return response


def sign_in_page(
    request: Request,
    *,
    reason: str,
    status: int,
    username: str = "",
    retry_minutes: int = 0,
    next_path: str = HOME,
) -> HTMLResponse:
    context = {
        "reason": reason,
        "username": username,
        "retry_minutes": retry_minutes,
        "idle_minutes": IDLE_SECONDS // 60,
        "next_path": next_path,
    }
    return console_page(request, "console/signin.html", context, None, status=status)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a console path only, never another site."""
    if (
        value
        and len(value) <= 200
        and (value == HOME or value.startswith(HOME + "/"))
        and "//" not in value
        and "\\" not in value
        and value.isascii()
        and not value.startswith(SIGN_IN)
    ):
        return value
    return HOME


class _SignInPages(TemplatedRoute):
    """Answers the console's sign-in problems with the sign-in page, before `WebRoute` (next
    in the method order of `ConsoleRoute`) would answer them as generic error pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answered(request: Request) -> Response:
            try:
                return await handler(request)
            except ConsoleSignInRequired as exc:
                here = request.url.path if request.method == "GET" else HOME
                reason = str(exc.end or SessionEnd.NONE)
                return sign_in_page(request, reason=reason, status=401, next_path=here)
            except NotAnOfficer:
                return sign_in_page(request, reason="not_officer", status=403)

        return answered


class ConsoleRoute(WebRoute, _SignInPages):
    """Sign-in problems answer the sign-in page, other errors a page in the reader's language
    (`WebRoute`, with its security headers); the session's cookie is renewed on every answer,
    and nothing the console shows is cached."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answered(request: Request) -> Response:
            response = await handler(request)
            _keep_session(request, response)
            response.headers["Cache-Control"] = "no-store"
            return response

        return answered


def _keep_session(request: Request, response: Response) -> None:
    con = console(request)
    state = request.state
    if getattr(state, "console_end", False):
        response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=con.secure_cookies, httponly=True)
        return
    session: ConsoleSession | None = getattr(state, "console_session", None)
    if session is not None:
        set_session_cookie(response, session, con)


def set_session_cookie(response: Response, session: ConsoleSession, con: Console) -> None:
    response.set_cookie(
        COOKIE,
        cookie_value(session, con.key),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=con.secure_cookies,
    )


def lang_of(request: Request) -> str:
    return language.choose(request)


__all__ = [
    "HOME",
    "SIGN_IN",
    "Console",
    "ConsoleDep",
    "ConsoleRoute",
    "ConsoleSignInRequired",
    "Form",
    "NotAnOfficer",
    "Officer",
    "Posted",
    "SignedIn",
    "console_page",
    "lang_of",
    "safe_next",
    "set_session_cookie",
    "sign_in_page",
]
