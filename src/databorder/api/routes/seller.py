"""The seller API: a recipient, authenticated by its own key, reads what its grant releases.

Every read is recorded and logged, so a read is a write: concurrent reads share a transaction
(group commit; the work is gateway/batch.py's `read_group`) the way disclosures do, each
answered after the commit.
"""

import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from databorder.api.batching import GroupCommit
from databorder.api.deps import bearer
from databorder.api.observability import TemplatedRoute
from databorder.api.problems import problems
from databorder.auth.tokens import RECIPIENT_CREDENTIALS, presented
from databorder.gateway.batch import PendingRead
from databorder.gateway.seller import OrderView
from databorder.model.fields import Ident
from databorder.runtime import Runtime

router = APIRouter(route_class=TemplatedRoute, tags=["seller"])


def _json(view: OrderView) -> dict[str, Any]:
    data = asdict(view)
    data["expires_at"] = view.expires_at.isoformat()
    return data


@router.get(
    "/v1/seller/orders/{order_id}/data",
    summary="The granted items of one order, in their dispositions",
    # Answered as bytes like the disclosures: every read is a logged write on the hot path.
    response_class=Response,
    response_model=None,
    responses={
        200: {"model": OrderView, "description": "The granted items, plain, masked or relayed"},
        **problems(
            (401, "missing or unknown API key"),
            (404, "no such order for this recipient"),
            (410, "access expired or was revoked (with the reason)"),
            (429, "this recipient's rate limit is exceeded (Retry-After says when)"),
        ),
    },
)
async def seller_order_data(
    order_id: Ident,
    x_grant_token: Annotated[str, Header(description="the grant token from the disclosure")],
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    key = presented(bearer(authorization), RECIPIENT_CREDENTIALS)
    rt: Runtime = request.app.state.runtime
    reads: GroupCommit[PendingRead, OrderView] = request.app.state.seller_reads
    view = await reads.submit(PendingRead(key, order_id, x_grant_token, rt.now()))
    return Response(json.dumps(_json(view), ensure_ascii=False), media_type="application/json")
