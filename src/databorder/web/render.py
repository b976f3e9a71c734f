"""Turning a template and its values into an HTML response in the reader's language.

Every page goes through `page()`: it picks the language (query, cookie, Korean), gives the layout
what it needs for the language switch and the navigation, remembers a language the reader just
chose, and says which language the page is in. Handlers decide what to show; this only shows it.
"""

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from databorder.i18n import LANGUAGES
from databorder.web import language
from databorder.web.templating import environment


def page(
    request: Request, template: str, context: Mapping[str, Any], status: int = 200
) -> HTMLResponse:
    lang = language.choose(request)
    html = (
        environment(lang)
        .get_template(template)
        .render(
            path=request.url.path,
            switch=[
                (code, language.ENDONYMS[code], language.switch_url(request, code))
                for code in LANGUAGES
            ],
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = lang
    # The same URL answers in two languages depending on the cookie: caches must keep both.
    response.headers["Vary"] = "Cookie"
    chosen = language.asked(request)
    if chosen is not None:
        language.remember(response, chosen)
    return response


__all__ = ["page"]
