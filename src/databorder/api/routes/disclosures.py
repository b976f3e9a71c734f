"""POST /v1/disclosures: decide from the database, then grant and record in one transaction.

The transaction is shared by the requests that arrive together (group commit, the work in
gateway/batch.py); each request still gets its own answer, sent only after the transaction
committed.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from databorder.api.batching import GroupCommit
from databorder.api.deps import RuntimeDep, admits, requires
from databorder.api.instants import stated
from databorder.api.observability import LOGGER, Metrics, TemplatedRoute
from databorder.api.problems import problems
from databorder.auth.services import Principal, Scope
from databorder.errors import NotFound
from databorder.gateway.batch import PendingDisclosure, RecordedDisclosure
from databorder.gateway.codec import DisclosureOut
from databorder.gateway.models import Disclosure
from databorder.gateway.types import DisclosureAsk, HistoryImport
from databorder.model import DataItem, Ground, Purpose
from databorder.model.fields import Ident, Instant, Line
from databorder.runtime import Runtime
from databorder.store.query import by_id

router = APIRouter(route_class=TemplatedRoute, tags=["disclosures"], responses=problems(401, 403))


class DisclosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: Ident
    recipient_id: Ident
    purpose: Purpose
    items: list[DataItem] = Field(min_length=1)
    # An id of the rule pack's mandate list (e.g. KR-CUSTOMS-ACT-241), not a free citation.
    legal_mandate: Ident | None = None
    # When it is disclosed: the server's clock unless given, and then only within
    # DATABORDER_CLOCK_SKEW_SECONDS of it (api/instants.py); never before the buyer's latest
    # withdrawal, suspension or erasure.
    at: Instant | None = None


class ImportedDisclosureIn(DisclosureIn):
    at: Instant  # required here: history has a date


class DisclosureImportIn(BaseModel):
    """Past disclosures the marketplace made before databorder recorded them."""

    model_config = ConfigDict(extra="forbid")

    reason: Line = Field(min_length=1, max_length=500, description="Why, for the audit trail")
    disclosures: list[ImportedDisclosureIn] = Field(min_length=1, max_length=1000)


class ImportedOut(BaseModel):
    imported: int
    allowed: int
    first_leaf: int | None
    tree_size: int
    disclosure_ids: list[str]


class DisclosureRecordOut(BaseModel):
    """A disclosure as recorded; the decision's full reasons are in its log leaf."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    order_id: str
    recipient_id: str
    subject_id: str
    purpose: Purpose
    requested: list[str]
    dispositions: dict[str, str]
    allowed: bool
    cross_border: bool
    ground: Ground | None
    article: str | None
    rule: str
    reasons: list[str] = Field(description="The reason codes, in order")
    bases: list[dict[str, str]] = Field(description="The decision's bases, as in its answer")
    consent_ids: list[str]
    notice_version: str | None
    legal_mandate: str | None
    grant_id: str | None
    decided_at: datetime
    leaf_index: int | None


@router.post(
    "/v1/disclosures",
    status_code=status.HTTP_201_CREATED,
    summary="Disclose an order's data to a recipient (or record the refusal)",
    # The hot path answers the codec's JSON as bytes, unvalidated (see docs/benchmarks.md);
    # `responses` documents that JSON exactly.
    response_class=Response,
    response_model=None,
    responses={
        201: {"model": DisclosureOut, "description": "Decided, granted if allowed, and logged"},
        **problems(
            (404, "no such order or recipient"),
            (409, "the order's buyer was erased"),
            (422, "invalid input, or a seller that did not sell the order"),
        ),
    },
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
    at = stated(body.at, rt.now(), rt.settings.clock_skew_seconds) if body.at else None
    committer: GroupCommit[PendingDisclosure, RecordedDisclosure] = request.app.state.disclosures
    keeper = getattr(request.state, "idempotency", None)  # set for an Idempotency-Key
    keep = keeper.created if keeper is not None else None
    recorded = await committer.submit(PendingDisclosure(credential, ask, at, keep))
    decision = recorded.outcome.decision
    metrics: Metrics = request.app.state.metrics
    metrics.count_decision(decision)
    metrics.disclosures.labels(str(decision.allowed).lower()).inc()
    return Response(
        recorded.body, status_code=status.HTTP_201_CREATED, media_type="application/json"
    )


@router.get(
    "/v1/disclosures/{disclosure_id}",
    summary="A recorded disclosure",
    dependencies=[requires(Scope.PLATFORM)],
    responses=problems(404),
)
def get_disclosure(rt: RuntimeDep, disclosure_id: Ident) -> DisclosureRecordOut:
    with rt.reads() as session:
        row = by_id(session, Disclosure, disclosure_id)
        if row is None:
            raise NotFound("disclosure", disclosure_id)
        return DisclosureRecordOut.model_validate(row)


@router.post(
    "/v1/disclosures/import",
    status_code=status.HTTP_201_CREATED,
    summary="Bring in past disclosures (officer): decided as of their time, logged, never granted",
    responses=problems(
        (404, "no such order or recipient"),
        (409, "an order's buyer was erased"),
        (422, "invalid input, an `at` in the future, or a seller that did not sell the order"),
    ),
)
def import_disclosures(
    body: DisclosureImportIn,
    rt: RuntimeDep,
    officer: Annotated[Principal, requires(Scope.OFFICER)],
) -> ImportedOut:
    """A back-fill: each disclosure is decided as of its own `at` against the facts recorded,
    written to the log marked `imported_by`, and given no grant, so nothing imported can be
    read by a recipient. All or none; the import itself is logged (who, how many, why)."""
    asks = [
        (
            DisclosureAsk(d.order_id, d.recipient_id, d.purpose, tuple(d.items), d.legal_mandate),
            d.at,
        )
        for d in body.disclosures
    ]
    with rt.sessions.begin() as session:
        outcomes = rt.gateway.import_history(
            session, asks, HistoryImport(officer.name, rt.now(), body.reason)
        )
        tree_size = rt.log.size(session)
    LOGGER.info(
        "disclosures imported",
        extra={"event": "disclosure_import", "count": len(outcomes)},
    )
    return ImportedOut(
        imported=len(outcomes),
        allowed=sum(o.decision.allowed for o in outcomes),
        first_leaf=outcomes[0].leaf_index,
        tree_size=tree_size,
        disclosure_ids=[o.disclosure_id for o in outcomes],
    )
