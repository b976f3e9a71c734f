"""The telephony side resolves a relay number while the call is being connected."""

from fastapi import APIRouter

from databorder.api.deps import RuntimeDep, requires
from databorder.api.observability import TemplatedRoute
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.gateway.relay import Resolution, resolve
from databorder.model.fields import RelayAddress

router = APIRouter(route_class=TemplatedRoute, tags=["relay"])


@router.get(
    "/v1/relay/{value}",
    dependencies=[requires(Scope.TELEPHONY)],
    summary="Where a relay number or alias connects, while its grant lives",
    responses=problems(
        401,
        403,
        (404, "unknown or unbound endpoint"),
        (410, "its grant ended (with the reason)"),
    ),
)
def resolve_relay(value: RelayAddress, rt: RuntimeDep) -> Resolution:
    with rt.sessions.begin() as session:
        return resolve(session, rt.vault, value, rt.now())
