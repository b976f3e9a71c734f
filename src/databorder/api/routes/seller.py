"""The seller API: a recipient, authenticated by its own key, reads what its grant releases."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header

from databorder.api.deps import RecipientDep, RuntimeDep, SessionDep

router = APIRouter(tags=["seller"])


@router.get(
    "/v1/seller/orders/{order_id}/data",
    summary="The granted items of one order, in their dispositions",
    responses={
        401: {"description": "missing or unknown API key"},
        404: {"description": "no such order for this recipient"},
        410: {"description": "access expired or was revoked (with the reason)"},
    },
)
def seller_order_data(
    order_id: str,
    x_grant_token: Annotated[str, Header(description="the grant token from the disclosure")],
    recipient: RecipientDep,
    rt: RuntimeDep,
    session: SessionDep,
) -> dict[str, Any]:
    return asdict(rt.seller.read(session, recipient, order_id, x_grant_token, rt.now()))
