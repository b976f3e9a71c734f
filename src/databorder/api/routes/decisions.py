"""POST /v1/decisions: the pure engine on self-contained requests (contracts/decision.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import TypeAdapter, ValidationError

from databorder.api.deps import RuntimeDep, requires
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Scope
from databorder.errors import InvalidInput
from databorder.policy.codec import DecisionRequestIn, decision_to_json

router = APIRouter(
    route_class=TemplatedRoute, tags=["decisions"], dependencies=[requires(Scope.PLATFORM)]
)
_ONE = TypeAdapter(DecisionRequestIn)
_MANY = TypeAdapter(list[DecisionRequestIn])


def decide_json(rt_engine: Any, payload: Any, metrics: Any = None) -> Any:
    """One request object in, one decision out; an array in, an array out."""
    try:
        if isinstance(payload, list):
            requests = [r.to_request() for r in _MANY.validate_python(payload)]
        else:
            requests = [_ONE.validate_python(payload).to_request()]
    except ValidationError as exc:
        raise InvalidInput.from_pydantic(exc) from exc
    for index, request in enumerate(requests):
        if request.pack != rt_engine.pack.name:
            field = f"{index}.pack" if isinstance(payload, list) else "pack"
            raise InvalidInput.one(
                field,
                f"unknown rule pack {request.pack!r}; this service runs {rt_engine.pack.name!r}",
            )
    made = rt_engine.decide_many(requests)
    if metrics is not None:
        for d in made:
            metrics.count_decision(
                d.ground.value if d.ground else None,
                d.cross_border,
                [r.code.value for r in d.reasons],
            )
    decisions = [decision_to_json(d) for d in made]
    return decisions if isinstance(payload, list) else decisions[0]


@router.post("/v1/decisions", summary="Decide self-contained transfer requests (one or an array)")
def post_decisions(
    rt: RuntimeDep,
    request: Request,
    payload: Annotated[
        Any, Body(description="A decision request as in contracts/decision.md, or an array of them")
    ],
) -> Any:
    return decide_json(rt.engine, payload, request.app.state.metrics)
