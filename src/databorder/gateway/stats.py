"""Access grants counted by state, for the monitoring system (GET /metrics)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from databorder.gateway.models import AccessGrant


@dataclass(frozen=True, slots=True)
class GrantCounts:
    live: int  # neither revoked nor expired at the time asked
    ended: int  # revoked, or expired and stamped ended by the sweeper
    lapsed_unswept: int  # expired, but the sweeper has not stamped them yet


def grant_counts(session: Session, at: datetime) -> GrantCounts:
    """The grants in each state at `at`, in one scan of the table."""
    live, ended, total = session.execute(
        select(
            func.count().filter(AccessGrant.revoked_at.is_(None), AccessGrant.expires_at > at),
            func.count().filter(AccessGrant.revoked_at.is_not(None)),
            func.count(),
        ).select_from(AccessGrant)
    ).one()
    return GrantCounts(live, ended, total - live - ended)
