"""A recipient reading an order's data: only what its live grants released, in their form.

Another recipient's order answers 404 exactly like an order that does not exist, so a seller
cannot probe for other sellers' orders. A grant that existed but ended answers 410 with why.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.errors import Gone, NotFound
from databorder.gateway.models import AccessGrant, SellerRead
from databorder.marketplace.models import Order
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem, Disposition
from databorder.registry.models import Recipient
from databorder.vault.mask import mask_address, mask_email, mask_name, mask_phone, mask_text
from databorder.vault.relay import RelayDirectory
from databorder.vault.service import ShreddedError, Vault

_MASKS: dict[DataItem, Callable[[str], str]] = {
    DataItem.NAME: mask_name,
    DataItem.PHONE: mask_phone,
    DataItem.EMAIL: mask_email,
    DataItem.ADDRESS: mask_address,
}


@dataclass(frozen=True, slots=True)
class GrantView:
    grant_id: str
    purpose: str
    expires_at: datetime
    items: dict[str, dict[str, str | None]]  # item -> {"disposition", "value"}


@dataclass(frozen=True, slots=True)
class OrderView:
    order_id: str
    grants: tuple[GrantView, ...]


class SellerAccess:
    def __init__(self, vault: Vault, relay: RelayDirectory) -> None:
        self.vault = vault
        self.relay = relay

    def read(
        self, session: Session, recipient: Recipient, order_id: str, at: datetime
    ) -> OrderView:
        grants = session.scalars(
            select(AccessGrant)
            .where(AccessGrant.order_id == order_id, AccessGrant.recipient_id == recipient.id)
            .order_by(AccessGrant.created_at)
        ).all()
        if not grants:
            raise NotFound("order", order_id)
        live = [g for g in grants if g.revoked_at is None and g.expires_at > at]
        if not live:
            last = grants[-1]
            if last.revoked_at is not None:
                raise Gone(
                    f"access to order {order_id!r} was revoked", last.revoke_reason or "revoked"
                )
            raise Gone(
                f"access to order {order_id!r} expired at {last.expires_at.isoformat()}", "expired"
            )
        order = session.get(Order, order_id)
        if order is None:  # grants cascade with their order; this is a race with deletion
            raise NotFound("order", order_id)
        wanted = {
            DataItem(i)
            for g in live
            for i, d in g.items.items()
            if d in (Disposition.PLAIN, Disposition.MASKED)
        } - {DataItem.ORDER_ITEMS}
        try:
            values = self.vault.get(session, order.buyer_id, wanted)
            contents = (
                self.vault.open_text(session, order.buyer_id, ORDER_ITEMS_LABEL, order.items_sealed)
                if order.items_sealed is not None
                else None
            )
        except ShreddedError as exc:
            raise Gone(f"the buyer of order {order_id!r} erased their data", "erased") from exc
        values_with_contents: dict[DataItem, str | None] = {
            **values,
            DataItem.ORDER_ITEMS: contents,
        }
        views = []
        for grant in live:
            shown: dict[str, dict[str, str | None]] = {}
            for item_name, disposition in grant.items.items():
                item = DataItem(item_name)
                shown[item_name] = {
                    "disposition": disposition,
                    "value": self._render(
                        grant.id, item, Disposition(disposition), values_with_contents.get(item)
                    ),
                }
            views.append(GrantView(grant.id, grant.purpose.value, grant.expires_at, shown))
            session.add(
                SellerRead(
                    id=str(uuid.uuid4()),
                    grant_id=grant.id,
                    recipient_id=recipient.id,
                    order_id=order_id,
                    items=sorted(grant.items),
                    read_at=at,
                )
            )
        session.flush()
        return OrderView(order_id, tuple(views))

    def _render(
        self, grant_id: str, item: DataItem, disposition: Disposition, value: str | None
    ) -> str | None:
        if disposition is Disposition.RELAY:
            return self.relay.relay_for(grant_id, item)
        if value is None:
            return None
        if disposition is Disposition.MASKED:
            return _MASKS.get(item, mask_text)(value)
        return value
