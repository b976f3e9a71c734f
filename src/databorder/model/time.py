"""Time values: every instant databorder reasons about is timezone-aware, and of this century.

A naive datetime compared against an aware one raises at the worst moment (inside a decision),
so naive input is rejected where it enters, with the field it came from. So is an instant
outside `EARLIEST`..`LATEST` (see there).
"""

import re
from datetime import UTC, datetime

# The instants databorder accepts from outside. Orders, deliveries, consents, the regulator's
# orders and decisions all fall well inside this window; an instant near year 1 or 9999 was
# accepted once and then overflowed wherever the service converted it to UTC or added a
# retention period to it: a 500 for the request, and for a stored order a 500 at every later
# disclosure of it. Wide enough for any real history or plan, far from datetime's own limits.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # excluded

# RFC 3339's date-time (section 5.6), the `format: date-time` the OpenAPI document promises:
# not a number of seconds, nor the other ISO 8601 forms a lenient parser would also read. The
# offset is optional here only so that its absence is answered by `aware`, which says so.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII
)


class NaiveDatetimeError(ValueError):
    """Raised for a datetime without a UTC offset."""


class InstantOutOfRangeError(ValueError):
    """Raised for an instant outside EARLIEST..LATEST."""


def aware(value: datetime, field: str = "datetime") -> datetime:
    """Return `value` unchanged if it carries an offset, else raise naming `field`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{field} must include a UTC offset (e.g. 2026-11-23T10:00:00+09:00), got {value.isoformat()}"
        )
    return value


def within_window(value: datetime, field: str = "datetime") -> datetime:
    """`value` if it carries an offset and lies in EARLIEST..LATEST, else raise naming `field`."""
    aware(value, field)
    if not EARLIEST <= value < LATEST:  # comparing aware datetimes cannot overflow
        raise InstantOutOfRangeError(
            f"{field} must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} "
            f"(UTC, the latter excluded), got {value.isoformat()}"
        )
    return value


def rfc3339_text(value: object) -> object:
    """Let a datetime or RFC 3339 text through to the datetime parser; refuse anything else."""
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.fullmatch(value)):
        return value
    shown = repr(value) if isinstance(value, str) else f"a {type(value).__name__}"
    raise ValueError(
        f"expected an RFC 3339 date-time with an offset, e.g. 2026-11-23T10:00:00+09:00, got {shown[:40]}"
    )


def parse_instant(text: str, field: str = "datetime") -> datetime:
    """Parse an RFC 3339 / ISO 8601 instant that must carry an offset and lie in the window."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise NaiveDatetimeError(f"{field} is not an ISO 8601 datetime: {text!r}") from exc
    return within_window(value, field)


def utcnow() -> datetime:
    """The one place the adapters read the clock; pure code takes `at` instead."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Normalise for storage; SQLite keeps no offsets, so everything is stored in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
