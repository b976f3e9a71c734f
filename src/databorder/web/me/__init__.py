"""The buyer's privacy center (`/me/...`): sign in by the marketplace's link, see who received
your data and prove it from the log, withdraw a consent, stop transfers, correct, download,
delete, complain, follow your requests.

`buyer_session.py` (beside this package) holds the sign-in seam and the session; `center.py`
what every page shares (who is signed in, forms, the route class); `views.py` what each page
shows, always filtered by the signed-in buyer; `actions.py` the calls into the rights services;
`routes_*.py` the handlers, which only translate HTTP. Templates live in `templates/me/`.
"""

from fastapi import FastAPI

from databorder.auth.login_tokens import StoredUsedTokens
from databorder.runtime import Runtime
from databorder.web.buyer_session import load_keys
from databorder.web.me import routes_pages, routes_rights, routes_session
from databorder.web.me.center import PrivacyCenter

# The catch-all for unknown /me addresses goes last: routes are matched in order.
ROUTERS = (
    routes_session.router,
    routes_pages.router,
    routes_rights.router,
    routes_session.fallback,
)


def install(app: FastAPI) -> None:
    """Add the privacy center to `app`, whose state holds the runtime.

    Its session and login keys are made by `databorder init` (runtime.init_keys); a missing or
    readable-by-others key stops the app like any other key (fail closed).
    """
    runtime: Runtime = app.state.runtime
    key_dir = runtime.settings.key_dir
    # Used sign-in tokens are remembered in the database, so a link works once across workers.
    app.state.privacy_center = PrivacyCenter.from_settings(
        runtime.settings, load_keys(key_dir), StoredUsedTokens(runtime.sessions)
    )
    for router in ROUTERS:
        app.include_router(router)


__all__ = ["install"]
