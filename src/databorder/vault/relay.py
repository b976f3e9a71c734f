"""Relay endpoints: what a recipient sees instead of the buyer's phone or email.

A relay phone is a 0504/0505 virtual number from a pool and a relay email an alias address,
each bound to one grant and resolving to the buyer only while that grant lives (the telephony
side asks `resolve`). When the grant ends, the sweeper releases the number; it rests for a
quarantine before reuse so that a late call never reaches the next buyer.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.model import DataItem
from databorder.store.query import rows_where_in
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
        self, session: Session, wanted: Sequence[tuple[str, DataItem]], at: datetime
    ) -> dict[tuple[str, DataItem], str]:
        """Give each (grant, item) an endpoint: reused phone numbers first, new ones after."""
        phones = [w for w in wanted if w[1] is DataItem.PHONE]
        bound: dict[tuple[str, DataItem], str] = {}
        if phones:
            free = session.scalars(
                select(RelayEndpoint)
                .where(
                    RelayEndpoint.kind == "phone",
                    RelayEndpoint.grant_id.is_(None),
                    RelayEndpoint.released_at <= at - QUARANTINE,
                )
                .limit(len(phones))
                .with_for_update(skip_locked=True)
            ).all()
            for endpoint, (grant_id, item) in zip(free, phones, strict=False):
                endpoint.grant_id, endpoint.item, endpoint.bound_at = grant_id, item, at
                endpoint.released_at = None
                bound[(grant_id, item)] = endpoint.value
            needed = phones[len(free) :]
            candidates = {_mint_number() for _ in range(len(needed) * 2 + 4)}
            taken = {
                e.value
                for e in rows_where_in(session, RelayEndpoint, RelayEndpoint.value, candidates)
            }
            fresh = iter(sorted(candidates - taken))
            for grant_id, item in needed:
                value = next(fresh)
                session.add(
                    RelayEndpoint(
                        value=value,
                        kind="phone",
                        grant_id=grant_id,
                        item=item,
                        bound_at=at,
                        released_at=None,
                    )
                )
                bound[(grant_id, item)] = value
        for grant_id, item in wanted:
            if item is not DataItem.PHONE:
                value = self._mint_alias()
                session.add(
                    RelayEndpoint(
                        value=value,
                        kind="email",
                        grant_id=grant_id,
                        item=item,
                        bound_at=at,
                        released_at=None,
                    )
                )
                bound[(grant_id, item)] = value
        return bound

    def values_for(self, session: Session, grant_id: str) -> dict[DataItem, str]:
        rows = session.scalars(select(RelayEndpoint).where(RelayEndpoint.grant_id == grant_id))
        return {DataItem(r.item): r.value for r in rows if r.item is not None}
