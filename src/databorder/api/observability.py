"""Structured JSON logs, Prometheus metrics and request timing, none of it carrying personal data.

A log line records the route template (`/v1/seller/orders/{order_id}/data`), never the raw path
or a body, so an order id, a relay number or a name can never end up in a log file. Metrics use
the same template as their label, which also keeps their cardinality bounded.

Every line the process writes is one JSON object, uvicorn's included (`log_config`): a value a
caller sent, a newline in it above all, can only ever be an escaped string inside one line, never
a line of its own. An exception is logged by its class, never its message, which may quote what
the caller sent. uvicorn's access log is off: it prints the raw path and query.
"""

import json
import logging
import logging.config
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from databorder.gateway.stats import GrantCounts
from databorder.policy.types import Decision

LOGGER = logging.getLogger("databorder")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and whitelisted extra fields."""

    FIELDS = ("method", "route", "status", "ms", "recipient", "event", "count")

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info:
            data["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "unknown"
        # ASCII only: besides newlines, U+2028, U+0085 and the like break lines in some readers,
        # and bidirectional or terminal controls would disguise a line; escaped, none can.
        return json.dumps(data, ensure_ascii=True)


def log_config(level: str = "INFO") -> dict[str, Any]:
    """The logging configuration of every server process (`logging.config.dictConfig`).

    One JSON handler on stderr, at the root, so uvicorn's loggers and any library's warnings go
    through it too; uvicorn's access logger has no handler, which turns it off. The same dict,
    as JSON, is the `--log-config` file docs/deploy.md gives the uvicorn command
    (deploy/uvicorn-logging.json, checked equal by a test), so its supervisor logs alike.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "databorder.api.observability.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "databorder": {"level": level},
            "uvicorn": {"level": level},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def configure_logging(level: str = "INFO") -> None:
    """Make this process's logs JSON lines on stderr, uvicorn's and the libraries' included."""
    logging.config.dictConfig(log_config(level))


class Metrics:
    """The service's Prometheus metrics, in a registry of its own (one per app, test-friendly)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "databorder_http_request_seconds",
            "HTTP request latency by route and status",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.decisions = Counter(
            "databorder_decisions_total",
            "Transfer decisions by ground (refused when none)",
            ["ground", "cross_border"],
            registry=self.registry,
        )
        self.reasons = Counter(
            "databorder_decision_reasons_total",
            "Reasons given in decisions, by code",
            ["code"],
            registry=self.registry,
        )
        self.disclosures = Counter(
            "databorder_disclosures_total",
            "Disclosures recorded by the gateway, by outcome",
            ["allowed"],
            registry=self.registry,
        )
        self.seller_reads = Counter(
            "databorder_seller_reads_total",
            "Seller API reads by outcome status",
            ["status"],
            registry=self.registry,
        )
        self.group_size = Histogram(
            "databorder_group_commit_size",
            "Requests committed together in one transaction (group commit), by work",
            ["work"],
            registry=self.registry,
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 500),
        )
        self.group_seconds = Histogram(
            "databorder_group_commit_seconds",
            "Time to do and commit one group of requests, by work",
            ["work"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
        )
        self.log_size = Gauge(
            "databorder_log_leaves", "Leaves in the disclosure log", registry=self.registry
        )
        self.grants = Gauge(
            "databorder_grants", "Access grants by state", ["state"], registry=self.registry
        )

    def group_observer(self, work: str) -> Callable[[int, float], None]:
        """What a GroupCommit reports after each transaction: its size and its time."""
        sizes, times = self.group_size.labels(work), self.group_seconds.labels(work)

        def observe(size: int, seconds: float) -> None:
            sizes.observe(size)
            times.observe(seconds)

        return observe

    def count_decision(self, decision: Decision) -> None:
        ground = decision.ground.value if decision.ground is not None else "refused"
        self.decisions.labels(ground, str(decision.cross_border).lower()).inc()
        for reason in decision.reasons:
            self.reasons.labels(reason.code.value).inc()

    def count_grants(self, grants: GrantCounts, log_leaves: int) -> None:
        """The gauges read from the database, set when the metrics are scraped."""
        self.grants.labels("live").set(grants.live)
        self.grants.labels("revoked_or_expired").set(grants.ended)
        self.grants.labels("lapsed_unswept").set(grants.lapsed_unswept)
        self.log_size.set(log_leaves)


class TemplatedRoute(APIRoute):
    """Records its path template on the request, for logs and metrics without raw paths.

    `request.state` is shared by the middleware and the route even where routing works on a
    copy of the scope, which is why the template travels there and not in the scope.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        template = self.path

        async def recorded(request: Request) -> Response:
            request.state.route = template
            return await handler(request)

        return recorded


class _Observed:
    """Times, counts and logs every HTTP request, as plain ASGI middleware.

    Starlette's `@app.middleware("http")` runs the app in a task of its own and streams the
    response through memory channels, which cost about a fifth of a request's CPU under load;
    wrapping `send` to catch the status costs next to nothing.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        failure: Exception | None = None  # logged by its class only, see JsonFormatter
        state = scope.setdefault("state", {})  # shared with request.state, see TemplatedRoute

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # a cancelled request is no failure of ours
            failure = exc
            raise
        finally:
            elapsed = time.perf_counter() - started
            route = str(state.get("route", "unmatched"))
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).observe(elapsed)
            if route.startswith("/v1/seller/"):
                self.metrics.seller_reads.labels(str(status)).inc()
            LOGGER.log(
                logging.ERROR if failure is not None else logging.INFO,
                "request",
                exc_info=failure,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                },
            )


def install(app: FastAPI, metrics: Metrics) -> None:
    app.add_middleware(_Observed, metrics=metrics)
