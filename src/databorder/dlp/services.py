"""Sending a message to a recipient of an order: filtered by the order's grants, then stored.

The route only translates; this is the operation. The recipient must have been disclosed
something of the order (a grant, live or ended): a message is how the buyer or support desk
reaches the seller or carrier handling it, not a channel to anyone else. What the recipient
may read of each finding is the form its *live* grants released (`dlp/forms.py`); once its
access ended (delivered and expired, withdrawn, revoked), every finding is removed.

Both forms of the text are sealed with the buyer's vault key (see `dlp/models.py`); everything
happens in the caller's transaction, so a failure writes nothing.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.dlp.engine import scan
from databorder.dlp.forms import GrantForms, apply, forms_of
from databorder.dlp.models import Message
from databorder.dlp.schemas import MessageIn, MessageOut
from databorder.errors import Conflict, NotFound
from databorder.gateway.models import AccessGrant
from databorder.marketplace.models import Order
from databorder.model import Disposition
from databorder.model.ids import time_ordered_id
from databorder.registry.models import Recipient
from databorder.store.query import by_id
from databorder.vault.relay import RelayPool
from databorder.vault.service import Vault


class NothingDisclosedError(Conflict):
    """409: the recipient was never disclosed anything of the order, so it may not be written to
    about it (a 403 would read as a credential without the scope, which this is not)."""

    def __init__(self, recipient_id: str, order_id: str) -> None:
        super().__init__(
            f"recipient {recipient_id!r} received nothing of order {order_id!r}: "
            "a message goes only to a recipient the order's data was disclosed to"
        )


def sealed_label(message_id: str, form: str) -> str:
    """The vault label a message's text is sealed under: bound to its row and form, so a sealed
    value moved to another row or swapped between original and filtered does not open."""
    return f"message:{message_id}:{form}"


class MessageService:
    def __init__(self, session: Session, vault: Vault, relay: RelayPool, home: str) -> None:
        self.session = session
        self.vault = vault
        self.relay = relay
        self.home = home  # the rule pack's home country: its numbering plan reads local phones

    def send(self, data: MessageIn, at: datetime) -> MessageOut:
        session = self.session
        order = by_id(session, Order, data.order_id)
        if order is None:
            raise NotFound("order", data.order_id)
        if session.get(Recipient, data.recipient_id) is None:
            raise NotFound("recipient", data.recipient_id)
        grants = session.scalars(
            select(AccessGrant).where(
                AccessGrant.recipient_id == data.recipient_id,
                AccessGrant.order_id == order.id,
                AccessGrant.subject_id == order.buyer_id,
            )
        ).all()
        if not grants:
            raise NothingDisclosedError(data.recipient_id, order.id)
        live = [g for g in grants if g.revoked_at is None and g.expires_at > at]
        forms = forms_of(
            GrantForms(
                g.items,
                self.relay.values_for(session, g.id)
                if Disposition.RELAY.value in g.items.values()
                else {},
            )
            for g in live
        )
        findings = scan(data.text)
        filtered = apply(data.text, findings, forms, self.home)
        message_id = time_ordered_id()
        seal = self.vault.seal_text
        session.add(
            Message(
                subject_id=order.buyer_id,
                id=message_id,
                order_id=order.id,
                recipient_id=data.recipient_id,
                sender=data.sender,
                original_sealed=seal(
                    session, order.buyer_id, sealed_label(message_id, "original"), data.text, at
                ),
                filtered_sealed=seal(
                    session, order.buyer_id, sealed_label(message_id, "filtered"), filtered.text, at
                ),
                changed=filtered.changed,
                found=filtered.found,
                sent_at=at,
            )
        )
        session.flush()
        return MessageOut(
            id=message_id,
            order_id=order.id,
            recipient_id=data.recipient_id,
            sender=data.sender,
            text=filtered.text,
            changed=filtered.changed,
            found=filtered.found,
        )
