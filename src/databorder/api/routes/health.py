"""Liveness, readiness and metrics, for the orchestrator and the monitoring system.

`/metrics` answers callers on `DATABORDER_METRICS_NETWORKS` (loopback by default: the telephony
and officer network in production) or presenting a key with the `metrics` scope; anyone else
gets 403. A scrape costs no query: the gauges read from the database (grants by state, the log's
size) are refreshed by a thread of their own every `GAUGE_INTERVAL` seconds, in a read session.
Counting them on every scrape, in a write transaction, let eight loops on /metrics cut
committed disclosures from 242/s to 12.9/s. The text itself (a few hundred samples, ~2 ms to
format) is formatted at most once every `TEXT_MAX_AGE` seconds, so a loop of scrapes costs
little more than a loop on /health.
"""

import ipaddress
import threading
import time
from collections.abc import Iterable
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from databorder.api.deps import RuntimeDep, bearer, require_scope
from databorder.api.observability import LOGGER, Metrics, TemplatedRoute
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.errors import Forbidden
from databorder.gateway.stats import grant_counts
from databorder.runtime import Runtime
from databorder.store.migrate import current_revision, head_revision

router = APIRouter(route_class=TemplatedRoute, tags=["operations"])

GAUGE_INTERVAL = 15.0  # seconds; Prometheus scrapes every 15-60 s
TEXT_MAX_AGE = 1.0  # seconds a formatted exposition is served again


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str] = Field(
        description="database, schema, keys: `ok`, or what is wrong with it"
    )


@router.get("/health", summary="Liveness: the process answers")
def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    summary="Readiness: database reachable and migrated, keys loaded",
    responses={503: {"model": Readiness, "description": "not ready: the checks say why"}},
)
def ready(rt: RuntimeDep, response: Response) -> Readiness:
    checks: dict[str, str] = {}
    try:
        with rt.reads() as session:  # never waits for a writer
            session.execute(text("SELECT 1"))
            current = current_revision(session.connection())
        checks["database"] = "ok"
        checks["schema"] = (
            "ok" if current == head_revision() else f"at {current}, head is {head_revision()}"
        )
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["keys"] = "ok"  # the runtime cannot exist without its keys (fail closed at build)
    ok = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ok else 503
    return Readiness(status="ready" if ok else "not ready", checks=checks)


class MetricsAccess:
    """Who may scrape without a key: callers whose address is in one of `networks` (CIDRs).

    Parsed when the app is built, so a mistyped network stops the service from starting.
    """

    def __init__(self, networks: Iterable[str]) -> None:
        self.networks = tuple(ipaddress.ip_network(n, strict=False) for n in networks)

    def allows(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False  # not an address at all (a Unix socket, a test client's name)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)


class Gauges:
    """The gauges read from the database, refreshed off the request path by a thread.

    The grants by state need a scan of the grants table; a scrape would otherwise pay for it,
    and anyone able to reach /metrics could make the database do it in a loop. The values are
    as of `refreshed_at` (exported as databorder_gauges_refreshed_timestamp_seconds). It also
    keeps the formatted text /metrics answers, for `TEXT_MAX_AGE` seconds.
    """

    def __init__(
        self, runtime: Runtime, metrics: Metrics, interval: float = GAUGE_INTERVAL
    ) -> None:
        self.runtime = runtime
        self.metrics = metrics
        self.interval = interval
        self.refreshed_at: float | None = None
        self._text: tuple[float, bytes] | None = None  # (when formatted, monotonic; the text)
        self._refreshed = Gauge(
            "databorder_gauges_refreshed_timestamp_seconds",
            "When the grants and log gauges were last read from the database (Unix time)",
            registry=metrics.registry,
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> None:
        """Read grants by state and the log's size, in one short read transaction."""
        rt = self.runtime
        with rt.reads() as session:
            self.metrics.count_grants(grant_counts(session, rt.now()), rt.log.size(session))
        self.refreshed_at = time.time()
        self._refreshed.set(self.refreshed_at)
        self._text = None  # the next scrape shows the new values

    def text(self) -> bytes:
        """The exposition, formatted again once it is `TEXT_MAX_AGE` seconds old."""
        now = time.monotonic()
        cached = self._text
        if cached is not None and now - cached[0] < TEXT_MAX_AGE:
            return cached[1]
        text = generate_latest(self.metrics.registry)
        self._text = (now, text)
        return text

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="gauges", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            try:
                self.refresh()
            except Exception:
                LOGGER.exception("refreshing the gauges failed", extra={"event": "metrics"})
            if self._stop.wait(self.interval):
                return


@router.get(
    "/metrics",
    summary="Prometheus metrics (the monitoring networks, or a key with the metrics scope)",
    response_class=Response,
    responses={
        200: {
            "description": "The Prometheus text exposition format",
            "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
        },
        **problems(
            (401, "a key was presented but is unknown or revoked"),
            (403, "neither on a monitoring network nor a key with the metrics scope"),
        ),
    },
)
async def metrics(
    request: Request, rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> Response:
    # async, on the event loop: the address check and the cached text need no thread.
    access: MetricsAccess = request.app.state.metrics_access
    if not access.allows(request.client.host if request.client else None):
        key = bearer(authorization)
        if key is None:
            raise Forbidden(
                "metrics are served to the monitoring networks, or to a key with the "
                "'metrics' scope"
            )
        # 401 for an unknown key, 403 without the scope; a short read, in a thread
        await run_in_threadpool(require_scope, rt, key, Scope.METRICS)
    gauges: Gauges = request.app.state.gauges
    return Response(gauges.text(), media_type=CONTENT_TYPE_LATEST)
