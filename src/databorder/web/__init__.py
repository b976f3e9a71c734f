"""The web pages, served by the same FastAPI app as the API: Jinja2, Babel, plain CSS.

Handlers translate between HTTP and the services (`routes/`), `views.py` gathers what a page
shows, templates only render. Korean first, English by a visible switch on every page
(`language.py`); every string from the `web` Babel catalogue; errors answered as localised pages
(`routing.py`); security headers on every answer (`headers.py`); forms protected by signed
double-submit tokens (`csrf.py`, `forms.py`).
"""

import secrets
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from databorder.web.assets import STATIC_URL
from databorder.web.console import install as _install_console
from databorder.web.csrf import CsrfTokens
from databorder.web.headers import secure
from databorder.web.me import install as _install_privacy_center
from databorder.web.routes import assets, directory, fallback, home, policy

STATIC_DIR = Path(__file__).parent / "static"


class _Static(StaticFiles):
    """The stylesheet and icon, with the same security headers as the pages."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        secure(response.headers)
        return response


def install(app: FastAPI, csrf_key: bytes | None = None) -> None:
    """Add the pages and their static files to `app`.

    Without a `csrf_key` each process signs forms with a key of its own: a form is then accepted
    only by the worker that served it, which is right for one worker and for tests; several
    workers need one key shared by all of them.
    """
    app.state.csrf = CsrfTokens(csrf_key if csrf_key is not None else secrets.token_bytes(32))
    for module in (home, policy, directory, assets, fallback):
        app.include_router(module.router)
    # The buyer's privacy center (/me/...): its routers, keys and session settings.
    _install_privacy_center(app)
    # The privacy officer's console (/console/...): officers only.
    _install_console(app)
    app.mount(STATIC_URL, _Static(directory=STATIC_DIR), name="static")


__all__ = ["install"]
