"""The marketplace feeds buyers, orders and deliveries; consents and notices are recorded here."""

from typing import Any

from fastapi import APIRouter, status

from databorder.api.deps import RuntimeDep, SessionDep
from databorder.consent.schemas import ConsentIn, NoticeVersionIn, WithdrawIn
from databorder.consent.services import ConsentService
from databorder.gateway.services import revoke_grants_for_consent
from databorder.marketplace.schemas import BuyerIn, DeliveredIn, OrderIn
from databorder.marketplace.services import MarketplaceService

router = APIRouter(tags=["marketplace"])


@router.post("/v1/buyers", status_code=status.HTTP_201_CREATED, summary="Register a buyer")
def create_buyer(body: BuyerIn, rt: RuntimeDep, session: SessionDep) -> dict[str, str]:
    row = MarketplaceService(session, rt.vault).register_buyer(body, rt.now())
    return {"id": row.id}


@router.post("/v1/orders", status_code=status.HTTP_201_CREATED, summary="Record an order")
def create_order(body: OrderIn, rt: RuntimeDep, session: SessionDep) -> dict[str, str]:
    row = MarketplaceService(session, rt.vault).place_order(body, rt.now())
    return {"id": row.id}


@router.post("/v1/orders/{order_id}/delivered", summary="Record delivery; grants end after it")
def order_delivered(
    order_id: str, body: DeliveredIn, rt: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    moved = rt.gateway.mark_delivered(session, order_id, body.delivered_at)
    return {"order_id": order_id, "grants_rescheduled": moved}


@router.post("/v1/notices", status_code=status.HTTP_201_CREATED, summary="Publish a notice version")
def publish_notice(body: NoticeVersionIn, session: SessionDep) -> dict[str, str]:
    return {"version": ConsentService(session).publish_notice(body).version}


@router.post("/v1/consents", status_code=status.HTTP_201_CREATED, summary="Record a consent")
def give_consent(body: ConsentIn, session: SessionDep) -> dict[str, str]:
    return {"id": ConsentService(session).give(body).id}


@router.post(
    "/v1/consents/{consent_id}/withdraw",
    summary="Withdraw a consent; the grants it grounded are revoked in the same transaction",
)
def withdraw_consent(
    consent_id: str, body: WithdrawIn, rt: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    at = body.at or rt.now()
    row = ConsentService(session).withdraw(consent_id, at)
    revoked = revoke_grants_for_consent(session, consent_id, at)
    return {"id": row.id, "withdrawn_at": row.withdrawn_at, "grants_revoked": revoked}
