"""The privacy officer's console (`/console/...`): the registry, the overview, rights requests
to follow up, the compliance audit and the disclosure log, for signed-in officers only.

`session.py` holds the signed cookie around an officer session token (pure); `base.py` what
every page shares (who is signed in, forms, the route class); `registry.py` and `views.py`
what the pages show, gathered as plain values; `routes_*.py` the handlers, which only
translate HTTP into calls on the existing services (`Officers`, `RegistryService`,
`RecipientWebhooks`, `RightsRequests`, `rt.audits`, `verify_log`). Templates live in
`templates/console/`.
"""

from fastapi import FastAPI

from databorder.runtime import Runtime
from databorder.web.buyer_session import load_keys
from databorder.web.console import routes_audit, routes_pages, routes_registry, routes_session
from databorder.web.console.base import Console
from databorder.web.console.session import derive_key

# The catch-all for unknown /console addresses goes last: routes are matched in order.
ROUTERS = (
    routes_session.router,
    routes_pages.router,
    routes_registry.router,
    routes_audit.router,
    routes_session.fallback,
)


def install(app: FastAPI) -> None:
    """Add the console to `app`, whose state holds the runtime.

    Its cookie key is derived from the privacy center's session key (see `session.py`), so a
    missing key stops the app here as it does there (fail closed).
    """
    runtime: Runtime = app.state.runtime
    key = derive_key(load_keys(runtime.settings.key_dir).session)
    app.state.console = Console(key=key, secure_cookies=runtime.settings.session_cookie_secure)
    for router in ROUTERS:
        app.include_router(router)


__all__ = ["install"]
