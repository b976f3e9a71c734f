"""The FastAPI application: routes only translate between HTTP and the services."""

import asyncio
import functools
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from databorder import __version__, web
from databorder.api import errors, idempotency, observability
from databorder.api.batching import GroupCommit, Work
from databorder.api.bodylimit import BodyLimit
from databorder.api.deps import AdmittedRecently
from databorder.api.headers import SecuredAnswers
from databorder.api.observability import LOGGER, Metrics, TemplatedRoute
from databorder.api.problems import documented, problems
from databorder.api.ratelimit import RateLimiter
from databorder.api.routes import (
    audit,
    decisions,
    disclosures,
    health,
    log_proofs,
    lookup,
    marketplace,
    messages,
    notices,
    officer,
    registry,
    relay,
    rights,
    seller,
)
from databorder.gateway.batch import disclose_group, read_group
from databorder.gateway.sweeper import sweep
from databorder.ledger.http import make_router
from databorder.rights import dispatch_due
from databorder.runtime import Runtime
from databorder.store.db import BackgroundCheckpoints


async def _every(
    interval: float, job: Callable[[], int], event: str, done: str, failed: str
) -> None:
    """Run `job` off the event loop every `interval` seconds, logging its count or failure."""
    while True:
        await asyncio.sleep(interval)
        try:
            count = await asyncio.to_thread(job)
        except Exception:
            LOGGER.exception(failed, extra={"event": event})
        else:
            LOGGER.info(done, extra={"event": event, "count": count})


def _sweep_once(runtime: Runtime) -> int:
    """Expire grants and free relay numbers; the number of grants ended."""
    with runtime.sessions.begin() as session:
        report = sweep(session, runtime.now(), runtime.engine.pack.home_country)
        idempotency.forget_expired(session, runtime.now())  # retries' answers past their time
        return report.grants_ended + report.suspended_by_order


def _dispatch_rights_once(runtime: Runtime) -> int:
    """Deliver the rights tasks that are due (erasure, correction, ... to each recipient)."""
    return dispatch_due(runtime.sessions, runtime.now(), runtime.rights_dispatcher)


def _publish_due_notice(runtime: Runtime) -> int:
    """Publish pending registry changes when the batch schedule says so; recipients named."""
    with runtime.sessions.begin() as session:
        now = runtime.now()
        if not runtime.publisher.due(session, now, runtime.settings.notice_batch_days):
            return 0
        return runtime.publisher.publish(session, now, summary="scheduled batch").recipient_count


def _sign_head_once(runtime: Runtime) -> int:
    """Publish a signed tree head if the log has grown, and offer it to the witnesses (outside
    the transaction: a witness may be slow); the tree size."""
    with runtime.sessions.begin() as session:
        size = runtime.signer.current(session).tree_size
    runtime.witnessing.submit()  # alarms are logged there; a witness's failure stops nothing
    return size


class _App(FastAPI):
    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, with the Problem schema every error answer refers to."""
        schema = self.openapi_schema
        if schema is None:
            schema = self.openapi_schema = idempotency.documented(documented(super().openapi()))
        return schema

    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's ServerErrorMiddleware, so an unexpected 500 is secured as well.
        return SecuredAnswers(super().build_middleware_stack())


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = runtime.settings
        tasks = [
            asyncio.create_task(_every(interval, functools.partial(job, runtime), *logged))
            for job, interval, logged in (
                (_sweep_once, settings.sweep_interval_seconds, ("sweep", "swept", "sweep failed")),
                (
                    _sign_head_once,
                    settings.head_interval_seconds,
                    ("head", "tree head", "signing a tree head failed"),
                ),
                (
                    _publish_due_notice,
                    settings.notice_check_interval_seconds if settings.notice_batch_days else 0,
                    ("notice", "notice batch checked", "publishing the notice batch failed"),
                ),
                (
                    _dispatch_rights_once,
                    settings.rights_dispatch_interval_seconds,
                    ("rights", "rights messages sent", "dispatching rights messages failed"),
                ),
            )
            if interval
        ]
        # Everything built so far (modules, the app, the pack) lives as long as the process:
        # moved out of the collector's reach, a full collection scans only what requests
        # allocate. Under load full collections paused the server for 100-140 ms, then 4-6.
        gc.collect()
        gc.freeze()
        checkpoints = BackgroundCheckpoints(runtime.db)
        checkpoints.start()
        app.state.gauges.start()
        try:
            yield
        finally:  # graceful shutdown: finish queued disclosures, stop the periodic jobs
            await app.state.disclosures.close()
            await app.state.seller_reads.close()
            checkpoints.stop()
            app.state.gauges.stop()
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    app = _App(
        lifespan=lifespan,
        responses=problems(500),  # any route may fail; it answers a problem too
        title="databorder",
        version=__version__,
        description="Lawful, minimal, verifiable disclosure of buyers' personal data to recipients.",
        # DATABORDER_API_DOCS=false: /openapi.json, /docs and /redoc answer 404.
        openapi_url="/openapi.json" if runtime.settings.api_docs else None,
        # FastAPI's native OpenTelemetry looks up the tracer provider on every request, a few
        # per cent of a request's CPU; Prometheus and the JSON logs are the default signals.
        telemetry={
            "tracing": runtime.settings.opentelemetry,
            "metrics": runtime.settings.opentelemetry,
            "logs": runtime.settings.opentelemetry,
        },
    )
    app.state.runtime = runtime
    app.state.seller_limiter = RateLimiter(
        runtime.settings.seller_rate_per_second, runtime.settings.seller_rate_burst
    )
    per_minute = runtime.settings.login_attempts_per_minute  # officer sign-ins, per address
    app.state.login_limiter = RateLimiter(per_minute / 60, per_minute)
    app.state.admitted = AdmittedRecently()
    app.state.metrics = Metrics()
    metrics: Metrics = app.state.metrics
    app.state.gauges = health.Gauges(runtime, metrics)  # /metrics reads no database
    app.state.metrics_access = health.MetricsAccess(runtime.settings.metrics_networks)

    def grouped(work: Work[Any, Any], name: str) -> GroupCommit[Any, Any]:
        limit = runtime.settings.group_commit_limit
        return GroupCommit(work, limit=limit, name=name, observe=metrics.group_observer(name))

    app.state.disclosures = grouped(
        functools.partial(
            disclose_group,
            sessions=runtime.sessions,
            gateway=runtime.gateway,
            log=runtime.log,
            clock=runtime.now,
        ),
        "disclosures",
    )
    app.state.seller_reads = grouped(
        functools.partial(
            read_group,
            sessions=runtime.sessions,
            seller=runtime.seller,
            take=app.state.seller_limiter.take,
        ),
        "seller_reads",
    )
    errors.install(app)
    # Before observability.install, so inside it: refused bodies are logged and counted too.
    # Inside BodyLimit, which caps the body it reads; inside observability, which logs replays.
    idempotency.install(app, runtime)
    app.add_middleware(BodyLimit, max_bytes=runtime.settings.max_body_bytes)
    observability.install(app, app.state.metrics)
    for module in (
        health,
        decisions,
        disclosures,
        seller,
        relay,
        registry,
        marketplace,
        lookup,
        officer,
        notices,
        rights,
        audit,
        messages,
        log_proofs,
    ):
        app.include_router(module.router)
    app.include_router(notices.platform)
    app.include_router(
        make_router(runtime.sessions, runtime.signer, TemplatedRoute, reads=runtime.reads)
    )
    # Web pages (src/databorder/web/): the public privacy pages and their static files. Last, so
    # its catch-all 404 under /privacy/ never shadows an API route.
    web.install(app)
    return app
