"""Disclosures and refusals counted over a period: by day, country, ground, reason and recipient.

The privacy officer's overview (web/console) reads this on a read session. Every count is one
GROUP BY over the period's disclosure rows, done by the database; only the grouped rows (a few
per day, country, ground, reason, and the top recipients) come back. Days are Korea's (UTC+9,
no daylight saving), like every date the officer reads. A refusal's reason is its first reason
code, the one that decided; an allowed disclosure's ground is the ground it was released on.

`weekly` regroups the days into weeks (Monday first) as a pure function, so the database is
asked one way whatever the chart shows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from databorder.gateway.models import Disclosure
from databorder.registry.models import Recipient

# Korea's offset: fixed (no daylight saving since 1988), so one expression serves every date.
KST_HOURS = 9
MAX_DAYS = 366  # a period longer than this is refused: the chart and its table would be unreadable


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class Counted:
    """Allowed and refused decisions for one key (a country, a recipient)."""

    key: str
    allowed: int
    refused: int
    name: str = ""  # the recipient's legal name, for recipients

    @property
    def total(self) -> int:
        return self.allowed + self.refused


@dataclass(frozen=True, slots=True)
class Day:
    day: date  # the first day of the bucket
    allowed: int
    refused: int


@dataclass(frozen=True, slots=True)
class Overview:
    first: date  # Korea's dates, inclusive
    last: date
    allowed: int
    refused: int
    days: tuple[Day, ...]  # every day of the period, zeros included
    countries: tuple[Counted, ...]  # most decisions first
    grounds: tuple[tuple[str, int], ...]  # allowed decisions per ground, most first
    reasons: tuple[tuple[str, int], ...]  # refused decisions per first reason code, most first
    recipients: tuple[Counted, ...]  # the `top` recipients by decisions


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants that bound Korea's days `first` to `last` (end exclusive)."""
    if last < first:
        raise ValueError(f"period ends ({last}) before it starts ({first})")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValueError(f"a period is at most {MAX_DAYS} days, got {(last - first).days + 1}")
    offset = timedelta(hours=KST_HOURS)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - offset
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1) - offset
    return start, end


def korean_day(at: datetime) -> date:
    return (at.astimezone(UTC) + timedelta(hours=KST_HOURS)).date()


def _day_expression(session: Session) -> ColumnElement[str]:
    """Korea's date of `decided_at` as the database spells it (text 'YYYY-MM-DD' or a date)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Seoul", Disclosure.decided_at), "YYYY-MM-DD").label(
            "day"
        )
    return func.date(Disclosure.decided_at, f"+{KST_HOURS} hours").label("day")


def overview(session: Session, first: date, last: date, *, top: int = 10) -> Overview:
    """Counts over Korea's days `first` to `last`, both included."""
    start, end = period_bounds(first, last)
    within = (Disclosure.decided_at >= start, Disclosure.decided_at < end)
    allowed = func.count().filter(Disclosure.allowed.is_(True))
    refused = func.count().filter(Disclosure.allowed.is_(False))
    day = _day_expression(session)
    per_day = {
        str(d): (int(a), int(r))
        for d, a, r in session.execute(select(day, allowed, refused).where(*within).group_by(day))
    }
    days = tuple(
        Day(first + timedelta(days=n), *per_day.get(str(first + timedelta(days=n)), (0, 0)))
        for n in range((last - first).days + 1)
    )
    countries = sorted(
        (
            Counted(str(c), int(a), int(r))
            for c, a, r in session.execute(
                select(Disclosure.recipient_country, allowed, refused)
                .where(*within)
                .group_by(Disclosure.recipient_country)
            )
        ),
        key=lambda c: (-c.total, c.key),
    )
    grounds = _ranked(
        session.execute(
            select(Disclosure.ground, func.count())
            .where(*within, Disclosure.allowed.is_(True), Disclosure.ground.is_not(None))
            .group_by(Disclosure.ground)
        ).all()
    )
    first_reason = Disclosure.reasons[0].as_string()
    reasons = _ranked(
        session.execute(
            select(first_reason, func.count())
            .where(*within, Disclosure.allowed.is_(False))
            .group_by(first_reason)
        ).all()
    )
    total = func.count()
    busiest = session.execute(
        select(Disclosure.recipient_id, allowed, refused)
        .where(*within)
        .group_by(Disclosure.recipient_id)
        .order_by(total.desc(), Disclosure.recipient_id)
        .limit(top)
    ).all()
    names = dict(
        session.execute(
            select(Recipient.id, Recipient.legal_name).where(
                Recipient.id.in_([r for r, _, _ in busiest])
            )
        ).all()
    )
    recipients = tuple(Counted(str(r), int(a), int(f), names.get(r, str(r))) for r, a, f in busiest)
    return Overview(
        first=first,
        last=last,
        allowed=sum(d.allowed for d in days),
        refused=sum(d.refused for d in days),
        days=days,
        countries=tuple(countries),
        grounds=grounds,
        reasons=reasons,
        recipients=recipients,
    )


def _ranked(rows: Sequence[tuple[object, int]]) -> tuple[tuple[str, int], ...]:
    counted = [(str(k) if k is not None else "", int(n)) for k, n in rows]
    return tuple(sorted(counted, key=lambda kv: (-kv[1], kv[0])))


def weekly(days: Sequence[Day]) -> tuple[Day, ...]:
    """The days summed into weeks starting on Monday; a week is dated by its Monday."""
    weeks: dict[date, tuple[int, int]] = {}
    for d in days:
        monday = d.day - timedelta(days=d.day.weekday())
        a, r = weeks.get(monday, (0, 0))
        weeks[monday] = (a + d.allowed, r + d.refused)
    return tuple(Day(monday, a, r) for monday, (a, r) in sorted(weeks.items()))


__all__ = [
    "MAX_DAYS",
    "Bucket",
    "Counted",
    "Day",
    "Overview",
    "korean_day",
    "overview",
    "period_bounds",
    "weekly",
]
