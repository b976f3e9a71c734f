"""The seller API: a recipient, authenticated by its own key, reads what its grant releases.

Every read is recorded and logged, so a read is a write: concurrent reads share a transaction
(group commit, api/batching.py) the way disclosures do, each answered after the commit.
"""

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from databorder.api.batching import GroupCommit, once_each
from databorder.api.deps import bearer
from databorder.api.observability import TemplatedRoute
from databorder.api.ratelimit import RateLimiter
from databorder.errors import DataborderError
from databorder.gateway.seller import OrderView, ReadAsk
from databorder.registry.services import RegistryService, presented_api_key
from databorder.runtime import Runtime

router = APIRouter(route_class=TemplatedRoute, tags=["seller"])


@dataclass(frozen=True, slots=True)
class PendingRead:
    key: str
    order_id: str
    token: str
    at: datetime


def read_group(
    rt: Runtime, limiter: RateLimiter, group: Sequence[PendingRead]
) -> list[OrderView | Exception]:
    """One transaction for a group of reads: each caller's key, rate limit, grant and record."""
    with rt.sessions.begin() as session:
        callers = once_each((p.key for p in group), RegistryService(session).authenticate)
        refusals: list[DataborderError | None] = []
        asks: list[ReadAsk] = []
        for pending in group:
            caller = callers[pending.key]
            if isinstance(caller, DataborderError):
                refusals.append(caller)
                continue
            try:
                limiter.take(caller.id)
            except DataborderError as exc:
                refusals.append(exc)
                continue
            refusals.append(None)
            asks.append(ReadAsk(caller, pending.order_id, pending.token, pending.at))
        views = iter(rt.seller.read_many(session, asks))
        return [refusal or next(views) for refusal in refusals]


def _json(view: OrderView) -> dict[str, Any]:
    data = asdict(view)
    data["expires_at"] = view.expires_at.isoformat()
    return data


@router.get(
    "/v1/seller/orders/{order_id}/data",
    summary="The granted items of one order, in their dispositions",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {}}},
        401: {"description": "missing or unknown API key"},
        404: {"description": "no such order for this recipient"},
        410: {"description": "access expired or was revoked (with the reason)"},
        429: {"description": "this recipient's rate limit is exceeded (Retry-After says when)"},
    },
)
async def seller_order_data(
    order_id: str,
    x_grant_token: Annotated[str, Header(description="the grant token from the disclosure")],
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    key = presented_api_key(bearer(authorization))
    rt: Runtime = request.app.state.runtime
    reads: GroupCommit[PendingRead, OrderView] = request.app.state.seller_reads
    view = await reads.submit(PendingRead(key, order_id, x_grant_token, rt.now()))
    return Response(json.dumps(_json(view), ensure_ascii=False), media_type="application/json")
