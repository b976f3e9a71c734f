"""A recipient reading an order's data: only what its grant released, in their form.

The recipient presents its API key (who it is) and the grant token the marketplace handed it
(what it may read). Another recipient's order or grant, or a forged token, answers 404 exactly
like an order that does not exist, so nobody can probe for others' orders; a grant that existed
but ended answers 410 with why.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from databorder.auth.tokens import hash_secret
from databorder.errors import DataborderError, Gone, NotFound
from databorder.gateway.models import AccessGrant, SellerRead
from databorder.gateway.services import LeafLog
from databorder.marketplace.models import Order
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem, Disposition
from databorder.model.ids import time_ordered_id
from databorder.registry.models import Recipient
from databorder.store.query import insert_rows
from databorder.vault.mask import mask_address, mask_email, mask_name, mask_phone, mask_text
from databorder.vault.relay import RelayPool
from databorder.vault.service import ShreddedError, Vault

_READS = cast(Table, SellerRead.__table__)

_MASKS: dict[DataItem, Callable[[str], str]] = {
    DataItem.NAME: mask_name,
    DataItem.PHONE: mask_phone,
    DataItem.EMAIL: mask_email,
    DataItem.ADDRESS: mask_address,
}


@dataclass(frozen=True, slots=True)
class OrderView:
    order_id: str
    grant_id: str
    purpose: str
    expires_at: datetime
    items: dict[str, dict[str, str | None]]  # item -> {"disposition", "value"}


class SellerAccess:
    def __init__(self, vault: Vault, relay: RelayPool, log: LeafLog | None = None) -> None:
        self.vault = vault
        self.relay = relay
        self.log = log

    def read_many(
        self, session: Session, asks: Sequence["ReadAsk"]
    ) -> list[OrderView | DataborderError]:
        """Each ask's view, or its own error (404, 410; any mismatch answers like a missing
        order). Every read that succeeds is recorded and logged, with one log append and one
        insert for them all, in the caller's transaction (concurrent HTTP reads share one)."""
        answers: list[OrderView | DataborderError] = []
        rows: list[dict[str, Any]] = []
        leaves: list[dict[str, Any]] = []
        for ask in asks:
            try:
                view, grant = self._view(session, ask)
            except DataborderError as exc:
                answers.append(exc)
                continue
            answers.append(view)
            row = {
                "recipient_id": ask.recipient.id,
                "id": time_ordered_id(),
                "grant_id": grant.id,
                "order_id": ask.order_id,
                "items": sorted(grant.items),
                "read_at": ask.at,
                "leaf_index": None,
            }
            rows.append(row)
            leaves.append(
                {
                    "type": "seller_read",
                    "id": row["id"],
                    "read_at": ask.at.isoformat(),
                    "recipient_id": ask.recipient.id,
                    "order_id": ask.order_id,
                    "subject_id": grant.subject_id,
                    "grant_id": grant.id,
                    "items": row["items"],
                }
            )
        if self.log is not None and leaves:
            for row, index in zip(rows, self.log.append_records(session, leaves), strict=True):
                row["leaf_index"] = index
        insert_rows(session, _READS, rows)
        return answers

    def _view(self, session: Session, ask: "ReadAsk") -> tuple[OrderView, AccessGrant]:
        order_id = ask.order_id
        grant = session.scalars(
            select(AccessGrant).where(
                AccessGrant.recipient_id == ask.recipient.id,
                AccessGrant.token_hash == hash_secret(ask.token),
            )
        ).first()
        if grant is None or grant.order_id != order_id:
            raise NotFound("order", order_id)
        if grant.revoked_at is not None:
            raise Gone(
                f"access to order {order_id!r} was revoked", grant.revoke_reason or "revoked"
            )
        if grant.expires_at <= ask.at:
            raise Gone(
                f"access to order {order_id!r} expired at {grant.expires_at.isoformat()}", "expired"
            )
        order = session.get(Order, (grant.subject_id, order_id))
        if order is None:  # grants cascade with their order; this is a race with deletion
            raise NotFound("order", order_id)
        wanted = {
            DataItem(i)
            for i, d in grant.items.items()
            if d in (Disposition.PLAIN, Disposition.MASKED)
        } - {DataItem.ORDER_ITEMS}
        try:
            values: dict[DataItem, str | None] = dict(
                self.vault.get(session, order.buyer_id, wanted)
            )
            if DataItem.ORDER_ITEMS.value in grant.items and order.items_sealed is not None:
                values[DataItem.ORDER_ITEMS] = self.vault.open_text(
                    session, order.buyer_id, ORDER_ITEMS_LABEL, order.items_sealed
                )
        except ShreddedError as exc:
            raise Gone(f"the buyer of order {order_id!r} erased their data", "erased") from exc
        except NotFound as exc:  # no vault entry: the vault's error names the buyer, this not
            raise NotFound("order", order_id) from exc
        relays = (
            self.relay.values_for(session, grant.id)
            if Disposition.RELAY.value in grant.items.values()
            else {}
        )
        shown = {
            name: {
                "disposition": disposition,
                "value": _render(
                    DataItem(name), Disposition(disposition), values.get(DataItem(name)), relays
                ),
            }
            for name, disposition in grant.items.items()
        }
        view = OrderView(order_id, grant.id, grant.purpose.value, grant.expires_at, shown)
        return view, grant


@dataclass(frozen=True, slots=True)
class ReadAsk:
    recipient: Recipient
    order_id: str
    token: str  # the grant token, as presented
    at: datetime


def _render(
    item: DataItem, disposition: Disposition, value: str | None, relays: dict[DataItem, str]
) -> str | None:
    if disposition is Disposition.RELAY:
        return relays.get(item)
    if value is None:
        return None
    if disposition is Disposition.MASKED:
        return _MASKS.get(item, mask_text)(value)
    return value
