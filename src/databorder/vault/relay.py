"""Relay endpoints: what a recipient sees instead of the buyer's phone or email.

A relay phone is a 0504/0505 virtual number from a pool and a relay email an alias address,
each bound to one grant and resolving to the buyer only while that grant lives (the telephony
side asks `resolve`). When the grant ends, the sweeper releases the number; it rests for a
quarantine before reuse so that a late call never reaches the next buyer.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from databorder.model import DataItem
from databorder.store.query import insert_rows, rows_where_in
from databorder.vault.models import RelayEndpoint

PREFIXES = ("0504", "0505")
QUARANTINE = timedelta(days=30)


def _mint_number() -> str:
    digits = f"{secrets.randbelow(10**8):08d}"
    return f"{secrets.choice(PREFIXES)}-{digits[:4]}-{digits[4:]}"


class RelayPool:
    def __init__(self, email_domain: str = "relay.databorder.invalid") -> None:
        self.email_domain = email_domain

    def _mint_alias(self) -> str:
        return f"r-{secrets.token_hex(8)}@{self.email_domain}"

    def bind(
        self, session: Session, wanted: Sequence[tuple[str, str, DataItem]], at: datetime
    ) -> dict[tuple[str, DataItem], str]:
        """Give each (recipient, grant, item) an endpoint: rested phone numbers first, then new."""
        phones = [w for w in wanted if w[2] is DataItem.PHONE]
        free = (
            list(
                session.scalars(
                    select(RelayEndpoint)
                    .where(
                        RelayEndpoint.kind == "phone",
                        RelayEndpoint.grant_id.is_(None),
                        RelayEndpoint.released_at <= at - QUARANTINE,
                    )
                    .limit(len(phones))
                    .with_for_update(skip_locked=True)
                )
            )
            if phones
            else []
        )
        needed = len(phones) - len(free)
        candidates = {_mint_number() for _ in range(needed * 2 + 4)} if needed > 0 else set()
        taken = {
            e.value for e in rows_where_in(session, RelayEndpoint, RelayEndpoint.value, candidates)
        }
        fresh = iter(candidates - taken)
        bound: dict[tuple[str, DataItem], str] = {}
        fresh_rows: list[dict[str, object]] = []
        for recipient_id, grant_id, item in wanted:
            if item is DataItem.PHONE and free:
                endpoint = free.pop()
                endpoint.recipient_id, endpoint.grant_id = recipient_id, grant_id
                endpoint.item, endpoint.bound_at, endpoint.released_at = item, at, None
                value = endpoint.value
            else:
                value = next(fresh) if item is DataItem.PHONE else self._mint_alias()
                fresh_rows.append(
                    {
                        "value": value,
                        "kind": "phone" if item is DataItem.PHONE else "email",
                        "recipient_id": recipient_id,
                        "grant_id": grant_id,
                        "item": item.value,
                        "bound_at": at,
                        "released_at": None,
                    }
                )
            bound[(grant_id, item)] = value
        if fresh_rows:
            insert_rows(session, cast(Table, RelayEndpoint.__table__), fresh_rows)
        return bound

    def values_for(self, session: Session, grant_id: str) -> dict[DataItem, str]:
        rows = session.scalars(select(RelayEndpoint).where(RelayEndpoint.grant_id == grant_id))
        return {DataItem(r.item): r.value for r in rows if r.item is not None}
