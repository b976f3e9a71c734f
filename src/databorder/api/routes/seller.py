"""The seller API: a recipient, authenticated by its own key, reads what its grant releases."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from databorder.api.deps import RecipientDep, RuntimeDep
from databorder.api.observability import TemplatedRoute

router = APIRouter(route_class=TemplatedRoute, tags=["seller"])


@router.get(
    "/v1/seller/orders/{order_id}/data",
    summary="The granted items of one order, in their dispositions",
    responses={
        401: {"description": "missing or unknown API key"},
        404: {"description": "no such order for this recipient"},
        410: {"description": "access expired or was revoked (with the reason)"},
        429: {"description": "this recipient's rate limit is exceeded (Retry-After says when)"},
    },
)
def seller_order_data(
    order_id: str,
    x_grant_token: Annotated[str, Header(description="the grant token from the disclosure")],
    recipient: RecipientDep,
    rt: RuntimeDep,
    request: Request,
) -> dict[str, Any]:
    with rt.sessions.begin() as session:
        request.app.state.seller_limiter.take(recipient.id)
        return asdict(rt.seller.read(session, recipient, order_id, x_grant_token, rt.now()))
