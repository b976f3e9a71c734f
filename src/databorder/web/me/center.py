"""What every privacy-center page shares: its keys and settings, who is signed in, its forms,
and the route class that answers its errors as pages and keeps the session alive.

A handler asks for `SignedIn` (a buyer whose account exists), `SignedInAny` (also a deleted
one: the receipt and the requests stay readable) or `MeForm` (a signed-in POST whose CSRF
token is bound to the session); the buyer's id in every query comes from there and only
from there. Destructive actions call `require_fresh` first.
"""

import dataclasses
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import HTMLResponse, Response

from databorder import i18n
from databorder.api.deps import RuntimeDep
from databorder.api.observability import LOGGER, TemplatedRoute
from databorder.errors import DataborderError
from databorder.marketplace.models import Buyer
from databorder.notices.render import KST
from databorder.rights import DEFAULT_DEADLINE_DAYS
from databorder.runtime import Runtime
from databorder.settings import Settings
from databorder.web import language
from databorder.web.buyer_session import (
    COOKIE,
    COOKIE_PATH,
    IDLE_SECONDS,
    BuyerKeys,
    BuyerSession,
    MemoryUsedTokens,
    UsedTokens,
    read_session,
    session_cookie,
    touched,
)
from databorder.web.errors import N_, BadQuery
from databorder.web.forms import csrf_form, form_token, keep_token
from databorder.web.headers import secure
from databorder.web.me.errors import AccountDeleted, FreshSignInRequired, SignInRequired
from databorder.web.render import page
from databorder.web.routing import WebRoute, error_page

# How long a download link works once made (Art. 35: the export is personal data in full).
DOWNLOAD_SECONDS = 10 * 60


@dataclass(frozen=True)
class PrivacyCenter:
    keys: BuyerKeys = dataclasses.field(repr=False)
    used: UsedTokens
    secure_cookies: bool = False
    # Where a buyer goes to sign in again (the marketplace's own page); None: the page says to
    # open the privacy center from the marketplace again.
    signin_url: str | None = None
    download_seconds: int = DOWNLOAD_SECONDS
    deadline_days: int = DEFAULT_DEADLINE_DAYS  # PIPA Art. 35-37: answer within 10 days

    @classmethod
    def from_settings(
        cls, settings: Settings, keys: BuyerKeys, used: UsedTokens | None = None
    ) -> "PrivacyCenter":
        return cls(
            keys=keys,
            used=used if used is not None else MemoryUsedTokens(),
            secure_cookies=settings.session_cookie_secure,
            # DATABORDER_MARKETPLACE_SIGNIN_URL; unset, the page tells the buyer to open the
            # privacy center from the marketplace again.
            signin_url=settings.marketplace_signin_url or None,
            deadline_days=settings.rights_deadline_days,
        )


def center(request: Request) -> PrivacyCenter:
    found: PrivacyCenter = request.app.state.privacy_center
    return found


CenterDep = Annotated[PrivacyCenter, Depends(center)]


@dataclass(frozen=True, slots=True)
class Me:
    """The signed-in buyer: the only source of the buyer id a page's queries use."""

    session: BuyerSession
    suspended: bool
    deleted_at: datetime | None

    @property
    def buyer_id(self) -> str:
        return self.session.buyer_id


def _signed_in(request: Request, rt: Runtime, pc: PrivacyCenter) -> Me:
    now = rt.now()
    check = read_session(request.cookies.get(COOKIE), pc.keys.session, now)
    if check.session is None:
        request.state.me_end = True
        raise SignInRequired(check.detail, end=check.end)
    with rt.sessions() as db:
        buyer = db.get(Buyer, check.session.buyer_id)
        if buyer is None:
            request.state.me_end = True
            raise SignInRequired("unknown buyer", refusal="unknown_buyer")
        me = Me(check.session, buyer.transfer_suspended, buyer.deleted_at)
    request.state.me_session = touched(check.session, now)
    return me


def signed_in_any(request: Request, rt: RuntimeDep, pc: CenterDep) -> Me:
    return _signed_in(request, rt, pc)


def signed_in(request: Request, rt: RuntimeDep, pc: CenterDep) -> Me:
    me = _signed_in(request, rt, pc)
    if me.deleted_at is not None:
        raise AccountDeleted(me.buyer_id)
    return me


SignedIn = Annotated[Me, Depends(signed_in)]
SignedInAny = Annotated[Me, Depends(signed_in_any)]


@dataclass(frozen=True, slots=True)
class Posted:
    me: Me
    fields: Mapping[str, str]


async def posted(request: Request, me: SignedIn) -> Posted:
    """A signed-in buyer's form whose CSRF token is bound to this session (403 otherwise)."""
    fields = await csrf_form(lambda _: me.session.session_id)(request)
    return Posted(me, fields)


async def posted_any(request: Request, me: SignedInAny) -> Posted:
    fields = await csrf_form(lambda _: me.session.session_id)(request)
    return Posted(me, fields)


MeForm = Annotated[Posted, Depends(posted)]
MeFormAny = Annotated[Posted, Depends(posted_any)]


def require_fresh(me: Me, now: datetime, action: str) -> None:
    """Erasure, suspension and withdrawal ask for a sign-in from the last 10 minutes."""
    if not me.session.fresh(now):
        raise FreshSignInRequired(action)


def moment(lang: str) -> Callable[[datetime], str]:
    """An instant as a buyer reads it: the date in words and the time on a 24-hour clock,
    in Korea's time like every date on these pages ("2026년 11월 3일 19:00")."""

    def shown(at: datetime) -> str:
        local = at.astimezone(KST)
        return f"{i18n.format_date(local, lang)}{_TIME_JOIN[lang]}{local:%H:%M}"

    return shown


_TIME_JOIN = {"ko": " ", "en": ", "}


@lru_cache(maxsize=4096)
def _day(value: date, lang: str) -> str:
    return i18n.format_date(value, lang)


def day(lang: str) -> Callable[[datetime], str]:
    """The date of an instant in Korea, in words; remembered, since a buyer's rows repeat a
    few dates hundreds of times and Babel takes tens of microseconds for each."""

    def shown(at: datetime) -> str:
        return _day(at.astimezone(KST).date(), lang)

    return shown


def me_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    me: Me | None,
    pc: PrivacyCenter,
    status: int = 200,
) -> HTMLResponse:
    """A privacy-center page: the layout's sign-out form needs a token bound to the session."""
    token = form_token(request, me.session.session_id) if me is not None else ""
    lang = language.choose(request)
    values = {"me": me, "csrf_token": token, "moment": moment(lang), "day": day(lang), **context}
    response = page(request, template, values, status=status)
    if me is not None:
        keep_token(response, token, secure=pc.secure_cookies)
    return response


# --- errors as pages ----------------------------------------------------------------------------

# The filters' names on the 400 page (the public pages' labels do not know these).
FIELD_LABELS: dict[str, str] = {"country": N_("Country"), "state": N_("Access")}


def _bad_query_page(request: Request, exc: BadQuery) -> Response:
    gettext = i18n.gettext(language.choose(request), "web")
    problems = []
    for p in exc.query_problems:
        reason = gettext(p.reason)
        problems.append(
            (
                gettext(FIELD_LABELS[p.field]) if p.field in FIELD_LABELS else p.field,
                reason % dict(p.values) if p.values else reason,
            )
        )
    context = {
        "status": 400,
        "problems": problems,
        "unpublished": False,
        "missing": None,
        "csrf": False,
    }
    return page(request, "error.html", context, status=400)


def sign_in_page(request: Request, exc: DataborderError) -> Response:
    pc = center(request)
    if isinstance(exc, SignInRequired):
        reason = str(exc.end or exc.refusal or "none")
    elif isinstance(exc, FreshSignInRequired):
        reason = "fresh"
    else:
        reason = "deleted"
    context = {
        "reason": reason,
        "signin_url": pc.signin_url,
        "idle_minutes": IDLE_SECONDS // 60,
        "me": None,
        "csrf_token": "",
    }
    return page(request, "me/signin.html", context, status=exc.status)


class MeRoute(WebRoute):
    """Like WebRoute, plus: sign-in problems answer the sign-in page, the session's cookie is
    renewed on every answer (its idle time starts over), and nothing personal is cached."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # WebRoute's own handling would answer these errors with its generic page, so this
        # wraps the plain route handler (TemplatedRoute's) and handles them first.
        handler = TemplatedRoute.get_route_handler(self)

        async def answered(request: Request) -> Response:
            try:
                response = await handler(request)
            except (SignInRequired, FreshSignInRequired, AccountDeleted) as exc:
                response = sign_in_page(request, exc)
            except BadQuery as exc:
                response = _bad_query_page(request, exc)
            except DataborderError as exc:
                response = error_page(request, exc)
            except RequestValidationError as exc:
                fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
                response = error_page(request, DataborderError(f"invalid request: {fields}"))
            except Exception:
                LOGGER.exception("privacy center page failed", extra={"event": "web_error"})
                response = error_page(request, DataborderError("internal error"))
            _keep_session(request, response)
            secure(response.headers)
            response.headers["Cache-Control"] = "no-store"
            return response

        return answered


def _keep_session(request: Request, response: Response) -> None:
    pc = center(request)
    state = request.state
    if getattr(state, "me_end", False):
        response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=pc.secure_cookies, httponly=True)
        return
    session: BuyerSession | None = getattr(state, "me_session", None)
    if session is not None:
        set_session_cookie(response, session, pc)


def set_session_cookie(response: Response, session: BuyerSession, pc: PrivacyCenter) -> None:
    response.set_cookie(
        COOKIE,
        session_cookie(session, pc.keys.session),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=pc.secure_cookies,
    )


__all__ = [
    "CenterDep",
    "Me",
    "MeForm",
    "MeFormAny",
    "MeRoute",
    "Posted",
    "PrivacyCenter",
    "SignedIn",
    "SignedInAny",
    "center",
    "me_page",
    "require_fresh",
    "set_session_cookie",
    "sign_in_page",
]
