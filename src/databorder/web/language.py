"""Which language a page is shown in, and the links that switch it.

Korean comes first (PIPA notices are written in Korean, foreign businesses included): a page is
Korean unless the reader asked for English with `?lang=en`, or asked before and the choice was
kept in a cookie. The switch keeps the reader where they are: same path, same query, only `lang`
replaced, so switching languages on the third page of a search does not lose the search.
"""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from databorder.i18n import DEFAULT_LANGUAGE, LANGUAGES, language

COOKIE = "lang"
PARAM = "lang"
# A year: a language preference is not personal data worth expiring sooner, and a reader who
# chose English should not find Korean again next month.
_COOKIE_SECONDS = 365 * 24 * 3600
# Each language's name in itself, so a reader who cannot read the current page still finds theirs.
ENDONYMS: dict[str, str] = {"ko": "한국어", "en": "English"}


def choose(request: Request) -> str:
    """`?lang=` first, then the cookie, then Korean; an unknown value counts as not given."""
    for value in (request.query_params.get(PARAM), request.cookies.get(COOKIE)):
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE


def asked(request: Request) -> str | None:
    """The language named in this request's query, to be remembered; None when none was."""
    value = request.query_params.get(PARAM)
    return language(value) if value in LANGUAGES else None


def switch_url(request: Request, lang: str) -> str:
    """This page's path and query with `lang` set to `lang` (all other parameters kept)."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != PARAM]
    pairs.append((PARAM, lang))
    return f"{request.url.path}?{urlencode(pairs)}"


def remember(response: Response, lang: str) -> None:
    response.set_cookie(
        COOKIE, lang, max_age=_COOKIE_SECONDS, path="/", httponly=True, samesite="lax"
    )


__all__ = ["COOKIE", "ENDONYMS", "PARAM", "asked", "choose", "remember", "switch_url"]
