"""POST /v1/disclosures: decide from the database, then grant and record in one transaction."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from databorder.api.deps import RuntimeDep, requires
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Scope
from databorder.errors import NotFound
from databorder.gateway.models import Disclosure
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose, aware
from databorder.policy.codec import decision_to_json
from databorder.store.query import by_id

router = APIRouter(
    route_class=TemplatedRoute, tags=["disclosures"], dependencies=[requires(Scope.PLATFORM)]
)


class DisclosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=64)
    recipient_id: str = Field(min_length=1, max_length=64)
    purpose: Purpose
    items: list[DataItem] = Field(min_length=1)
    legal_mandate: str | None = Field(default=None, min_length=3, max_length=500)
    at: Annotated[datetime, AfterValidator(aware)] | None = None


@router.post(
    "/v1/disclosures",
    status_code=status.HTTP_201_CREATED,
    summary="Disclose an order's data to a recipient (or record the refusal)",
)
def post_disclosure(body: DisclosureIn, rt: RuntimeDep, request: Request) -> dict[str, Any]:
    ask = DisclosureAsk(
        body.order_id, body.recipient_id, body.purpose, tuple(body.items), body.legal_mandate
    )
    with rt.sessions.begin() as session:  # committed before anything is counted or answered
        outcome = rt.gateway.disclose(session, ask, body.at or rt.now())
        tree_size = rt.log.size(session)
    decision = outcome.decision
    metrics = request.app.state.metrics
    metrics.count_decision(
        decision.ground.value if decision.ground else None,
        decision.cross_border,
        [r.code.value for r in decision.reasons],
    )
    metrics.disclosures.labels(str(decision.allowed).lower()).inc()
    return {
        "disclosure_id": outcome.disclosure_id,
        "decision": decision_to_json(decision),
        "grant": (
            {"id": outcome.grant_id, "token": outcome.grant_token, "expires_at": outcome.expires_at}
            if outcome.grant_id
            else None
        ),
        "log": {"leaf_index": outcome.leaf_index, "tree_size": tree_size},
    }


@router.get("/v1/disclosures/{disclosure_id}", summary="A recorded disclosure")
def get_disclosure(rt: RuntimeDep, disclosure_id: str) -> dict[str, Any]:
    with rt.sessions.begin() as session:
        row = by_id(session, Disclosure, disclosure_id)
        if row is None:
            raise NotFound("disclosure", disclosure_id)
        return {
            "id": row.id,
            "order_id": row.order_id,
            "recipient_id": row.recipient_id,
            "subject_id": row.subject_id,
            "purpose": row.purpose,
            "requested": row.requested,
            "dispositions": row.dispositions,
            "allowed": row.allowed,
            "cross_border": row.cross_border,
            "ground": row.ground,
            "article": row.article,
            "rule": row.rule,
            "reasons": row.reasons,
            "consent_id": row.consent_id,
            "grant_id": row.grant_id,
            "decided_at": row.decided_at,
            "leaf_index": row.leaf_index,
        }
