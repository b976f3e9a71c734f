"""Signing in by the marketplace's link, and signing out."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from starlette.responses import RedirectResponse

from databorder.api.deps import RuntimeDep
from databorder.errors import NotFound
from databorder.i18n import LANGUAGES
from databorder.marketplace.models import Buyer
from databorder.web.buyer_session import (
    COOKIE,
    COOKIE_PATH,
    LOGIN_PATH,
    accept_login,
    start_session,
)
from databorder.web.me.center import CenterDep, MeFormAny, MeRoute, SignedInAny, set_session_cookie
from databorder.web.me.errors import SignInRequired
from databorder.web.render import page

router = APIRouter(route_class=MeRoute, include_in_schema=False)

HOME = "/me"
_MAX_NEXT = 200


def _next(value: str | None) -> str:
    """Where to go after signing in: a privacy-center path only, never another site."""
    if (
        value
        and len(value) <= _MAX_NEXT
        and (value == HOME or value.startswith(HOME + "/"))
        and "//" not in value
        and "\\" not in value
        and value.isascii()
        and not value.startswith(LOGIN_PATH)
    ):
        return value
    return HOME


@router.get(LOGIN_PATH)
def sign_in(request: Request, rt: RuntimeDep, pc: CenterDep) -> Response:
    now = rt.now()
    params = request.query_params
    check = accept_login(params.get("token"), pc.keys.login, pc.used, now)
    if check.buyer_id is None:
        raise SignInRequired(check.detail, refusal=check.refusal)
    with rt.sessions() as db:
        if db.get(Buyer, check.buyer_id) is None:
            raise SignInRequired(f"no buyer {check.buyer_id!r}", refusal="unknown_buyer")
    target = _next(params.get("next"))
    lang = params.get("lang")
    if lang in LANGUAGES:
        target += ("&" if "?" in target else "?") + urlencode({"lang": lang})
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, start_session(check.buyer_id, now), pc)
    return response


@router.post("/me/logout")
def sign_out(request: Request, form: MeFormAny) -> Response:
    request.state.me_session = None
    request.state.me_end = True
    return RedirectResponse("/me/signed-out", status_code=303)


@router.get("/me/signed-out")
def signed_out(request: Request) -> Response:
    response = page(request, "me/signed_out.html", {"me": None, "csrf_token": ""})
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


# Included after every other privacy-center router (see __init__.ROUTERS).
fallback = APIRouter(route_class=MeRoute, include_in_schema=False)


@fallback.get("/me/{rest:path}")
def unknown_page(rest: str, me: SignedInAny) -> None:
    """Any other address under /me: the friendly 404 page (after the sign-in check, so the
    addresses that exist cannot be told from those that do not without signing in)."""
    raise NotFound("page", f"/me/{rest}")
