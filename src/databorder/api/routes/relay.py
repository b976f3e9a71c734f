"""The telephony side resolves a relay number while the call is being connected."""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from databorder.api.deps import RuntimeDep, requires
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Scope
from databorder.gateway.relay import resolve

router = APIRouter(route_class=TemplatedRoute, tags=["relay"])


@router.get(
    "/v1/relay/{value}",
    dependencies=[requires(Scope.TELEPHONY)],
    summary="Where a relay number or alias connects, while its grant lives",
    responses={
        404: {"description": "unknown or unbound endpoint"},
        410: {"description": "its grant ended (with the reason)"},
    },
)
def resolve_relay(value: str, rt: RuntimeDep) -> dict[str, Any]:
    with rt.sessions.begin() as session:
        return asdict(resolve(session, rt.vault, value, rt.now()))
