"""Liveness, readiness and metrics, for the orchestrator and the monitoring system."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from databorder.api.deps import RuntimeDep
from databorder.api.observability import TemplatedRoute
from databorder.gateway.models import AccessGrant
from databorder.store.migrate import current_revision, head_revision

router = APIRouter(route_class=TemplatedRoute, tags=["operations"])


@router.get("/health", summary="Liveness: the process answers")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: database reachable and migrated, keys loaded")
def ready(rt: RuntimeDep) -> Response:
    checks: dict[str, Any] = {}
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
    return JSONResponse(
        {"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request, rt: RuntimeDep) -> Response:
    registry = request.app.state.metrics
    now = rt.now()
    with rt.sessions() as session:
        live = (
            session.scalar(
                select(func.count())
                .select_from(AccessGrant)
                .where(AccessGrant.revoked_at.is_(None), AccessGrant.expires_at > now)
            )
            or 0
        )
        ended = (
            session.scalar(
                select(func.count())
                .select_from(AccessGrant)
                .where(AccessGrant.revoked_at.is_not(None))
            )
            or 0
        )
        total = session.scalar(select(func.count()).select_from(AccessGrant)) or 0
        leaves = rt.log.size(session) if rt.log is not None and hasattr(rt.log, "size") else 0
    registry.grants.labels("live").set(live)
    registry.grants.labels("revoked_or_expired").set(ended)
    registry.grants.labels("lapsed_unswept").set(total - live - ended)
    registry.log_size.set(leaves)
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
