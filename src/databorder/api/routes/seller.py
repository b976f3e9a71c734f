"""The seller API: a recipient, authenticated by its own key, reads what its grants release."""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

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
    order_id: str, recipient: RecipientDep, rt: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    return asdict(rt.seller.read(session, recipient, order_id, rt.now()))
