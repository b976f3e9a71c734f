"""The marketplace feeds buyers, orders and deliveries; consents are recorded here."""

from typing import Any

from fastapi import APIRouter, status

from databorder.api.deps import RuntimeDep, requires
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Scope
from databorder.consent.schemas import ConsentIn, WithdrawIn
from databorder.consent.services import ConsentService
from databorder.marketplace.schemas import BuyerIn, DeliveredIn, OrderIn
from databorder.marketplace.services import MarketplaceService
from databorder.rights.services import RightsService

router = APIRouter(
    route_class=TemplatedRoute, tags=["marketplace"], dependencies=[requires(Scope.PLATFORM)]
)


@router.post("/v1/buyers", status_code=status.HTTP_201_CREATED, summary="Register a buyer")
def create_buyer(body: BuyerIn, rt: RuntimeDep) -> dict[str, str]:
    with rt.sessions.begin() as session:
        row = MarketplaceService(session, rt.vault).register_buyer(body, rt.now())
        return {"id": row.id}


@router.post("/v1/orders", status_code=status.HTTP_201_CREATED, summary="Record an order")
def create_order(body: OrderIn, rt: RuntimeDep) -> dict[str, str]:
    with rt.sessions.begin() as session:
        row = MarketplaceService(session, rt.vault).place_order(body, rt.now())
        return {"id": row.id}


@router.post("/v1/orders/{order_id}/delivered", summary="Record delivery; grants end after it")
def order_delivered(order_id: str, body: DeliveredIn, rt: RuntimeDep) -> dict[str, Any]:
    with rt.sessions.begin() as session:
        moved = rt.gateway.mark_delivered(session, order_id, body.delivered_at)
        return {"order_id": order_id, "grants_rescheduled": moved}


@router.post("/v1/consents", status_code=status.HTTP_201_CREATED, summary="Record a consent")
def give_consent(rt: RuntimeDep, body: ConsentIn) -> dict[str, str]:
    with rt.sessions.begin() as session:
        return {"id": ConsentService(session).give(body).id}


@router.post(
    "/v1/consents/{consent_id}/withdraw",
    summary="Withdraw a consent; the grants it grounded are revoked in the same transaction",
)
def withdraw_consent(consent_id: str, body: WithdrawIn, rt: RuntimeDep) -> dict[str, Any]:
    with rt.sessions.begin() as session:
        at = body.at or rt.now()
        outcome = RightsService(session, rt.vault).withdraw(consent_id, at)
        return {"id": consent_id, "withdrawn_at": at, "grants_revoked": outcome.grants_revoked}


@router.post(
    "/v1/buyers/{buyer_id}/suspend",
    summary="Suspend all transfers of a buyer; every live grant is revoked at once",
)
def suspend(buyer_id: str, rt: RuntimeDep) -> dict[str, Any]:
    with rt.sessions.begin() as session:
        outcome = RightsService(session, rt.vault).suspend_transfers(buyer_id, rt.now())
        return {"id": buyer_id, "grants_revoked": outcome.grants_revoked}


@router.delete(
    "/v1/buyers/{buyer_id}", summary="Erase a buyer: revoke every grant and destroy their vault key"
)
def erase(buyer_id: str, rt: RuntimeDep) -> dict[str, Any]:
    with rt.sessions.begin() as session:
        outcome = RightsService(session, rt.vault).erase(buyer_id, rt.now())
        return {"id": buyer_id, "erased": True, "grants_revoked": outcome.grants_revoked}
