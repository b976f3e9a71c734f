"""The retention sweeper: ends expired grants and frees their relay endpoints, idempotently.

Grants covered by a regulator's suspension order in force are ended first (an order recorded
ahead of its start takes effect here). Expired grants are already refused by time alone; sweeping stamps them ended (so counts and
audits need no clock arithmetic) and releases their relay numbers into quarantine. Seller read
records older than the read-log retention are deleted. Running it twice changes nothing more.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from databorder.gateway.models import AccessGrant, SellerRead
from databorder.registry.suspensions import SuspensionService
from databorder.store.query import rowcount
from databorder.vault.models import RelayEndpoint


@dataclass(frozen=True, slots=True)
class SweepReport:
    grants_ended: int
    relays_released: int
    reads_deleted: int
    suspended_by_order: int = 0


def sweep(
    session: Session, at: datetime, home_country: str, read_retention_days: int = 365
) -> SweepReport:
    """`home_country` is the rule pack's: suspension orders cover only transfers abroad."""
    ordered = SuspensionService(session, home_country).enforce(at)
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
    return SweepReport(rowcount(ended), rowcount(released), rowcount(reads), ordered)
