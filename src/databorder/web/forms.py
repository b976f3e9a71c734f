"""Forms over HTTP: the token a form page embeds, and the check every POST passes first.

A page with a form calls `form_token` before rendering and `keep_token` on its response; a
handler that accepts a form takes `CsrfForm` (or `csrf_form(binding)` once there are sessions)
as a dependency, which reads the urlencoded body and refuses it with 403 unless the cookie and
the submitted token match and carry this server's signature (see `csrf.py`). Only
`application/x-www-form-urlencoded` bodies are read: it is what an HTML form sends, and
parsing it needs nothing beyond the standard library.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette.responses import Response

from databorder.web.csrf import COOKIE, FIELD, HEADER, CsrfCheck, CsrfTokens, CsrfVerdict
from databorder.web.errors import CsrfRejected

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024  # the privacy center's forms are a few short fields


def _tokens(request: Request) -> CsrfTokens:
    tokens: CsrfTokens = request.app.state.csrf
    return tokens


def _no_binding(_: Request) -> str:
    return ""


def form_token(request: Request, binding: str = "") -> str:
    """The token for a form on this page: the cookie's own while it is valid, else a new one."""
    tokens = _tokens(request)
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie is not None and tokens.valid(cookie, binding) else tokens.issue(binding)


def keep_token(response: Response, token: str, *, secure: bool = False) -> None:
    """Set the token's cookie on a page that shows a form (Strict: it never leaves this site)."""
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", secure=secure)


def csrf_form(
    binding: Callable[[Request], str] = _no_binding,
) -> Callable[[Request], Awaitable[dict[str, str]]]:
    """A dependency: the form's fields once its token checks out, else CsrfRejected (403)."""

    async def verified(request: Request) -> dict[str, str]:
        fields: dict[str, str] = {}
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
            fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        submitted = fields.pop(FIELD, None) or request.headers.get(HEADER)
        check = _tokens(request).check(request.cookies.get(COOKIE), submitted, binding(request))
        if not check.accepted:
            raise CsrfRejected(check)
        return fields

    return verified


CsrfForm = Annotated[dict[str, str], Depends(csrf_form())]

__all__ = ["FORM_MEDIA_TYPE", "CsrfForm", "csrf_form", "form_token", "keep_token"]
