"""POST /v1/disclosures: decide from the database, then grant and record in one transaction.

The transaction is shared by the requests that arrive together (group commit); each request
still gets its own answer, sent only after the transaction committed.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from databorder.api.batching import GroupCommit, once_each
from databorder.api.deps import RuntimeDep, admits, requires
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Scope, ServiceKeys
from databorder.errors import DataborderError, NotFound
from databorder.gateway.models import Disclosure
from databorder.gateway.types import DisclosureAsk, DisclosureOutcome
from databorder.model import DataItem, Purpose, aware
from databorder.policy.codec import decision_to_json
from databorder.runtime import Runtime
from databorder.store.query import by_id

router = APIRouter(route_class=TemplatedRoute, tags=["disclosures"])


class DisclosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=64)
    recipient_id: str = Field(min_length=1, max_length=64)
    purpose: Purpose
    items: list[DataItem] = Field(min_length=1)
    # An id of the rule pack's mandate list (e.g. KR-CUSTOMS-ACT-241), not a free citation.
    legal_mandate: str | None = Field(default=None, min_length=1, max_length=64)
    at: Annotated[datetime, AfterValidator(aware)] | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """A request waiting for its group's transaction: the credential is checked there again."""

    credential: str
    ask: DisclosureAsk
    at: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    outcome: DisclosureOutcome
    tree_size: int


def disclose_group(rt: Runtime, group: Sequence[Pending]) -> list[Recorded | Exception]:
    """One transaction for a group of requests: credentials, decisions, grants, log leaves.

    A credential revoked since the front door admitted it is refused here, in the same
    transaction that would have disclosed, so revocation takes effect at once.
    """
    with rt.sessions.begin() as session:
        keys = ServiceKeys(session)
        at = rt.now()
        callers = once_each(
            (p.credential for p in group), lambda key: keys.require(key, Scope.PLATFORM, at)
        )
        refusals = [
            caller if isinstance(caller := callers[p.credential], DataborderError) else None
            for p in group
        ]
        admitted = [
            (p.ask, p.at) for p, refusal in zip(group, refusals, strict=True) if refusal is None
        ]
        done = iter(rt.gateway.disclose_each(session, admitted))
        outcomes = [refusal or next(done) for refusal in refusals]
        tree_size = rt.log.size(session)
    return [o if isinstance(o, Exception) else Recorded(o, tree_size) for o in outcomes]


@router.post(
    "/v1/disclosures",
    status_code=status.HTTP_201_CREATED,
    summary="Disclose an order's data to a recipient (or record the refusal)",
    response_class=Response,
    responses={201: {"content": {"application/json": {}}}},
)
async def post_disclosure(
    body: DisclosureIn, request: Request, credential: Annotated[str, admits(Scope.PLATFORM)]
) -> Response:
    """Answered once the disclosure, its grant and its log leaf are committed.

    Concurrent requests share a transaction (api/batching.py), which is what lets one
    process commit thousands of disclosures a second.
    """
    rt: Runtime = request.app.state.runtime
    ask = DisclosureAsk(
        body.order_id, body.recipient_id, body.purpose, tuple(body.items), body.legal_mandate
    )
    committer: GroupCommit[Pending, Recorded] = request.app.state.disclosures
    recorded = await committer.submit(Pending(credential, ask, body.at or rt.now()))
    outcome = recorded.outcome
    decision = outcome.decision
    metrics = request.app.state.metrics
    metrics.count_decision(
        decision.ground.value if decision.ground else None,
        decision.cross_border,
        [r.code.value for r in decision.reasons],
    )
    metrics.disclosures.labels(str(decision.allowed).lower()).inc()
    answer = {
        "disclosure_id": outcome.disclosure_id,
        "decision": decision_to_json(decision),
        "grant": (
            {
                "id": outcome.grant_id,
                "token": outcome.grant_token,
                "expires_at": outcome.expires_at.isoformat() if outcome.expires_at else None,
            }
            if outcome.grant_id
            else None
        ),
        "log": {"leaf_index": outcome.leaf_index, "tree_size": recorded.tree_size},
    }
    return Response(
        json.dumps(answer, ensure_ascii=False).encode(),
        status_code=status.HTTP_201_CREATED,
        media_type="application/json",
    )


@router.get(
    "/v1/disclosures/{disclosure_id}",
    summary="A recorded disclosure",
    dependencies=[requires(Scope.PLATFORM)],
)
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
            "bases": row.bases,
            "consent_ids": row.consent_ids,
            "notice_version": row.notice_version,
            "legal_mandate": row.legal_mandate,
            "grant_id": row.grant_id,
            "decided_at": row.decided_at,
            "leaf_index": row.leaf_index,
        }
