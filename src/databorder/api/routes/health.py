"""Liveness, readiness and metrics, for the orchestrator and the monitoring system."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text

from databorder.api.deps import RuntimeDep
from databorder.api.observability import Metrics, TemplatedRoute
from databorder.gateway.stats import grant_counts
from databorder.store.migrate import current_revision, head_revision

router = APIRouter(route_class=TemplatedRoute, tags=["operations"])


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
        with rt.db.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = current_revision(conn)
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


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "description": "The Prometheus text exposition format",
            "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
        }
    },
)
def metrics(request: Request, rt: RuntimeDep) -> Response:
    registry: Metrics = request.app.state.metrics
    with rt.sessions() as session:
        registry.count_grants(grant_counts(session, rt.now()), rt.log.size(session))
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
