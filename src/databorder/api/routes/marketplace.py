"""The marketplace feeds buyers, orders and deliveries; consents are recorded here."""

from datetime import datetime
from typing import Any

from fastapi import status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from databorder.api.deps import RuntimeDep, scoped_router
from databorder.api.instants import not_future, stated
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.consent.models import Consent
from databorder.consent.schemas import ConsentIn, WithdrawIn
from databorder.consent.services import ConsentService
from databorder.errors import NotFound
from databorder.marketplace.schemas import BuyerIn, DeliveredIn, OrderIn
from databorder.marketplace.services import MarketplaceService
from databorder.model.fields import Ident
from databorder.rights import Receipt, RightsRequests
from databorder.store.query import by_id

router = scoped_router(Scope.PLATFORM, "marketplace")


class Created(BaseModel):
    id: str


class Delivered(BaseModel):
    order_id: str
    grants_rescheduled: int


class Tracked(BaseModel):
    """A right exercised through the platform is a tracked request like one from the privacy
    center: recipients are told (webhook or email) and their acknowledgements followed."""

    request_id: str
    tracking_number: str
    deadline: datetime
    recipients_notified: int


class Withdrawn(Tracked):
    id: str
    withdrawn_at: datetime
    grants_revoked: int


class Suspended(Tracked):
    id: str
    grants_revoked: int


class Erased(Tracked):
    id: str
    erased: bool
    grants_revoked: int


def _tracked(receipt: Receipt) -> dict[str, Any]:
    revoked = receipt.detail.get("grants_revoked", 0)
    return {
        "request_id": receipt.id,
        "tracking_number": receipt.tracking_number,
        "deadline": receipt.deadline,
        "recipients_notified": len(receipt.tasks),
        "grants_revoked": revoked if isinstance(revoked, int) else 0,
    }


def _requests(rt: RuntimeDep, session: Session) -> RightsRequests:
    return RightsRequests(session, rt.vault, rt.settings.rights_deadline_days)


@router.post(
    "/v1/buyers",
    status_code=status.HTTP_201_CREATED,
    summary="Register a buyer",
    responses=problems((409, "a buyer with this id exists")),
)
def create_buyer(body: BuyerIn, rt: RuntimeDep) -> Created:
    with rt.sessions.begin() as session:
        row = MarketplaceService(session, rt.vault).register_buyer(body, rt.now())
        return Created(id=row.id)


@router.post(
    "/v1/orders",
    status_code=status.HTTP_201_CREATED,
    summary="Record an order",
    responses=problems((409, "an order with this id exists")),
)
def create_order(body: OrderIn, rt: RuntimeDep) -> Created:
    with rt.sessions.begin() as session:
        row = MarketplaceService(session, rt.vault).place_order(body, rt.now())
        return Created(id=row.id)


@router.post(
    "/v1/orders/{order_id}/delivered",
    summary="Record delivery; grants end after it",
    responses=problems(404, (409, "the order was delivered already")),
)
def order_delivered(order_id: Ident, body: DeliveredIn, rt: RuntimeDep) -> Delivered:
    with rt.sessions.begin() as session:
        moved = rt.gateway.mark_delivered(session, order_id, body.delivered_at)
        return Delivered(order_id=order_id, grants_rescheduled=moved)


@router.post(
    "/v1/consents",
    status_code=status.HTTP_201_CREATED,
    summary="Record a consent",
    responses=problems((404, "no such buyer or notice version"), 409),
)
def give_consent(rt: RuntimeDep, body: ConsentIn) -> Created:
    # History is welcome (a consent given before databorder ran, `method: import`), the future
    # is not: a withdrawal dated ahead would leave the consent valid until then.
    now = rt.now()
    not_future(body.given_at, now, rt.settings.clock_skew_seconds, "given_at")
    not_future(body.withdrawn_at, now, 0, "withdrawn_at")
    with rt.sessions.begin() as session:
        return Created(id=ConsentService(session).give(body).id)


@router.post(
    "/v1/consents/{consent_id}/withdraw",
    summary="Withdraw a consent; the grants it grounded are revoked in the same transaction",
    responses=problems(404, 409),
)
def withdraw_consent(consent_id: Ident, body: WithdrawIn, rt: RuntimeDep) -> Withdrawn:
    at = stated(body.at, rt.now(), rt.settings.clock_skew_seconds, future=False)
    with rt.sessions.begin() as session:
        consent = by_id(session, Consent, consent_id)
        if consent is None:
            raise NotFound("consent", consent_id)
        receipt = _requests(rt, session).withdraw(consent.subject_id, consent_id, at)
        return Withdrawn(id=consent_id, withdrawn_at=at, **_tracked(receipt))


@router.post(
    "/v1/buyers/{buyer_id}/suspend",
    summary="Suspend all transfers of a buyer; every live grant is revoked at once",
    responses=problems(404, (409, "transfers are suspended already")),
)
def suspend(buyer_id: Ident, rt: RuntimeDep) -> Suspended:
    with rt.sessions.begin() as session:
        receipt = _requests(rt, session).suspend(buyer_id, rt.now())
        return Suspended(id=buyer_id, **_tracked(receipt))


@router.delete(
    "/v1/buyers/{buyer_id}",
    summary="Erase a buyer: revoke every grant and destroy their vault key",
    responses=problems(404),
)
def erase(buyer_id: Ident, rt: RuntimeDep) -> Erased:
    with rt.sessions.begin() as session:
        receipt = _requests(rt, session).erase(buyer_id, rt.now())
        return Erased(id=buyer_id, erased=True, **_tracked(receipt))
