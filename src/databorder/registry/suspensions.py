"""The regulator's suspension orders (PIPA Art. 28-9): registry data the engine reads per decision.

An order names one recipient or one country. While it is in force, every transfer abroad it
covers is refused (TRANSFER_ORDER_SUSPENDED), and the grants it covers end: at once when the
order is recorded in force, or at the sweep after its start when it is recorded ahead of time.
Ending an order stamps its end; the row stays, because the audit must show why transfers
stopped and when they could resume.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from databorder.errors import Conflict, InvalidInput, NotFound
from databorder.gateway.models import AccessGrant
from databorder.gateway.services import revoke_grants
from databorder.model.fields import Country, Ident, Instant, Line
from databorder.registry.models import Recipient, SuspensionOrder
from databorder.store.query import CHUNK

REVOKE_REASON = "transfer_order_suspended"


class SuspensionOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Ident | None = None
    recipient_id: Ident | None = None
    country: Country | None = None
    starts_at: Instant | None = None  # default: now
    ends_at: Instant | None = None
    reference: Annotated[Line, Field(min_length=3, max_length=300)]

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.recipient_id is None) == (self.country is None):
            raise ValueError("give exactly one of recipient_id and country")
        return self


class SuspensionService:
    def __init__(self, session: Session, home_country: str) -> None:
        self.session = session
        self.home_country = home_country  # the rule pack's: orders cover transfers abroad

    def add(self, data: SuspensionOrderIn, at: datetime) -> tuple[SuspensionOrder, int]:
        """Record an order; returns it and the number of grants it ended now."""
        starts = data.starts_at or at
        if data.ends_at is not None and data.ends_at <= starts:
            raise InvalidInput.one("ends_at", "must be after starts_at")
        if data.recipient_id is not None and self.session.get(Recipient, data.recipient_id) is None:
            raise NotFound("recipient", data.recipient_id)
        order_id = data.id or f"so-{uuid.uuid4()}"
        if self.session.get(SuspensionOrder, order_id) is not None:
            raise Conflict(f"suspension order {order_id!r} exists already")
        row = SuspensionOrder(
            id=order_id,
            recipient_id=data.recipient_id,
            country=data.country,
            starts_at=starts,
            ends_at=data.ends_at,
            reference=data.reference,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row, self.enforce(at)

    def end(self, order_id: str, at: datetime) -> SuspensionOrder:
        row = self.session.get(SuspensionOrder, order_id)
        if row is None:
            raise NotFound("suspension order", order_id)
        if row.ends_at is not None and row.ends_at <= at:
            raise Conflict(f"suspension order {order_id!r} ended at {row.ends_at.isoformat()}")
        if at <= row.starts_at:
            raise InvalidInput.one("at", "an order cannot end before it starts")
        row.ends_at = at
        self.session.flush()
        return row

    def every(self) -> Sequence[SuspensionOrder]:
        return self.session.scalars(
            select(SuspensionOrder).order_by(SuspensionOrder.starts_at)
        ).all()

    def in_force(self, at: datetime) -> list[SuspensionOrder]:
        return list(
            self.session.scalars(
                select(SuspensionOrder).where(
                    SuspensionOrder.starts_at <= at,
                    or_(SuspensionOrder.ends_at.is_(None), SuspensionOrder.ends_at > at),
                )
            )
        )

    def enforce(self, at: datetime) -> int:
        """End the live grants of every recipient abroad that an order in force covers.

        Idempotent (revoked grants are not touched again), so the sweeper can run it to enforce
        orders recorded ahead of their start. A domestic recipient keeps its grants: an order
        covers transfers abroad only.
        """
        orders = self.in_force(at)
        if not orders:
            return 0
        named = {o.recipient_id for o in orders if o.recipient_id is not None}
        countries = {o.country for o in orders if o.country is not None}
        query = select(Recipient.id, Recipient.country, Recipient.data_countries)
        if not countries:  # only named recipients: no need to read the whole registry
            query = query.where(Recipient.id.in_(sorted(named)))
        home = self.home_country
        abroad = sorted(
            rid
            for rid, seat, others in self.session.execute(query)
            if (rid in named or countries & {seat, *others})
            and any(c != home for c in (seat, *others))
        )
        return sum(
            revoke_grants(
                self.session,
                AccessGrant.recipient_id.in_(abroad[start : start + CHUNK]),
                at,
                REVOKE_REASON,
            )
            for start in range(0, len(abroad), CHUNK)
        )
