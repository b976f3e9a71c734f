"""POST /v1/decisions: the pure engine on self-contained requests (contracts/decision.md)."""

from typing import Annotated, Any

from fastapi import Body, Request

from databorder.api.deps import RuntimeDep, scoped_router
from databorder.api.observability import Metrics
from databorder.auth.services import Scope
from databorder.policy.json_api import DecisionOut, decide_json

router = scoped_router(Scope.PLATFORM, "decisions")


@router.post(
    "/v1/decisions",
    summary="Decide self-contained transfer requests (one or an array)",
    # Answered as the codec makes it: an array may hold thousands of decisions, each would
    # be validated again for nothing. The document still says exactly what comes back.
    response_model=None,
    responses={200: {"model": DecisionOut | list[DecisionOut], "description": "The decisions"}},
)
def post_decisions(
    rt: RuntimeDep,
    request: Request,
    payload: Annotated[
        Any, Body(description="A decision request as in contracts/decision.md, or an array of them")
    ],
) -> dict[str, Any] | list[dict[str, Any]]:
    metrics: Metrics = request.app.state.metrics
    return decide_json(rt.engine, payload, metrics.count_decision)
