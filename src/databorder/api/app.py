"""The FastAPI application: routes only translate between HTTP and the services."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from databorder import __version__
from databorder.api import errors, observability
from databorder.api.observability import LOGGER, Metrics
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
from databorder.gateway.sweeper import SweepReport, sweep
from databorder.runtime import Runtime


async def _sweep_periodically(runtime: Runtime, interval: float) -> None:
    """Expire grants and free relay numbers on a schedule, off the event loop."""
    while True:
        await asyncio.sleep(interval)
        try:
            report = await asyncio.to_thread(_sweep_once, runtime)
        except Exception:
            LOGGER.exception("sweep failed", extra={"event": "sweep"})
        else:
            LOGGER.info("swept", extra={"event": "sweep", "count": report.grants_ended})


def _sweep_once(runtime: Runtime) -> SweepReport:
    with runtime.sessions.begin() as session:
        return sweep(session, runtime.now())


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        interval = runtime.settings.sweep_interval_seconds
        task = asyncio.create_task(_sweep_periodically(runtime, interval)) if interval else None
        try:
            yield
        finally:  # graceful shutdown: stop the sweeper, then let the pool close
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        lifespan=lifespan,
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
