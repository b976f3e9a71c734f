"""The retention sweeper: ends expired grants and frees their relay endpoints, idempotently.

Expired grants are already refused by time alone; sweeping stamps them ended (so counts and
audits need no clock arithmetic) and releases their relay numbers into quarantine. Seller read
records older than the read-log retention are deleted. Running it twice changes nothing more.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from databorder.gateway.models import AccessGrant, SellerRead
from databorder.store.query import rowcount
from databorder.vault.models import RelayEndpoint


@dataclass(frozen=True, slots=True)
class SweepReport:
    grants_ended: int
    relays_released: int
    reads_deleted: int


def sweep(session: Session, at: datetime, read_retention_days: int = 365) -> SweepReport:
    ended = session.execute(
        update(AccessGrant)
        .where(AccessGrant.revoked_at.is_(None), AccessGrant.expires_at <= at)
        .values(revoked_at=AccessGrant.expires_at, revoke_reason="expired")
    )
    ended_grants = select(AccessGrant.id).where(AccessGrant.revoked_at.is_not(None))
    released = session.execute(
        update(RelayEndpoint)
        .where(RelayEndpoint.grant_id.in_(ended_grants))
        .values(grant_id=None, recipient_id=None, item=None, released_at=at)
    )
    reads = session.execute(
        delete(SellerRead).where(SellerRead.read_at < at - timedelta(days=read_retention_days))
    )
    return SweepReport(
        rowcount(ended),
        rowcount(released),
        rowcount(reads),
    )
