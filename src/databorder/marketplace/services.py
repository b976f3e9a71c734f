"""Registering buyers (their personal data straight into the vault) and their orders."""

from datetime import datetime

from sqlalchemy.orm import Session

from databorder.errors import Conflict, InvalidInput
from databorder.marketplace.models import Buyer, Order
from databorder.marketplace.schemas import BuyerIn, OrderIn
from databorder.model import DataItem
from databorder.registry.models import Recipient
from databorder.store.query import by_id
from databorder.vault.service import Vault

ORDER_ITEMS_LABEL = "order_items"


class MarketplaceService:
    def __init__(self, session: Session, vault: Vault) -> None:
        self.session = session
        self.vault = vault

    def register_buyer(self, data: BuyerIn, at: datetime) -> Buyer:
        if self.session.get(Buyer, data.id) is not None:
            raise Conflict(f"buyer {data.id!r} exists already")
        row = Buyer(
            id=data.id,
            residence=data.residence,
            transfer_suspended=data.transfer_suspended,
            created_at=at,
            deleted_at=None,
        )
        self.session.add(row)
        values = {DataItem(k): v for k, v in data.pii.model_dump(exclude_none=True).items()}
        self.vault.put(self.session, data.id, values, at)
        self.session.flush()
        return row

    def place_order(self, data: OrderIn, at: datetime) -> Order:
        if by_id(self.session, Order, data.id) is not None:
            raise Conflict(f"order {data.id!r} exists already")
        buyer = self.session.get(Buyer, data.buyer_id)
        if buyer is None or buyer.deleted_at is not None:
            raise InvalidInput.one("buyer_id", f"unknown buyer {data.buyer_id!r}")
        seller = self.session.get(Recipient, data.seller_id)
        if seller is None:
            raise InvalidInput.one("seller_id", f"unknown recipient {data.seller_id!r}")
        sealed = (
            self.vault.seal_text(
                self.session, data.buyer_id, ORDER_ITEMS_LABEL, data.order_items, at
            )
            if data.order_items
            else None
        )
        # The contents go only into the vault: the row keeps them sealed.
        row = Order(**data.model_dump(exclude={"order_items"}), items_sealed=sealed)
        self.session.add(row)
        self.session.flush()
        return row
