"""The FastAPI application: routes only translate between HTTP and the services."""

from fastapi import FastAPI

from databorder import __version__
from databorder.api import errors, observability
from databorder.api.observability import Metrics
from databorder.api.ratelimit import RateLimiter
from databorder.api.routes import (
    decisions,
    disclosures,
    health,
    marketplace,
    registry,
    relay,
    seller,
)
from databorder.runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="databorder",
        version=__version__,
        description="Lawful, minimal, verifiable disclosure of buyers' personal data to recipients.",
    )
    app.state.runtime = runtime
    app.state.seller_limiter = RateLimiter(
        runtime.settings.seller_rate_per_second, runtime.settings.seller_rate_burst
    )
    errors.install(app)
    app.state.metrics = Metrics()
    observability.install(app, app.state.metrics)
    for module in (health, decisions, disclosures, seller, relay, registry, marketplace):
        app.include_router(module.router)
    return app
