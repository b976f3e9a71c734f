"""Time values: every instant databorder reasons about is timezone-aware.

A naive datetime compared against an aware one raises at the worst moment (inside a decision),
so naive input is rejected where it enters, with the field it came from.
"""

from datetime import UTC, datetime


class NaiveDatetimeError(ValueError):
    """Raised for a datetime without a UTC offset."""


def aware(value: datetime, field: str = "datetime") -> datetime:
    """Return `value` unchanged if it carries an offset, else raise naming `field`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{field} must include a UTC offset (e.g. 2026-11-23T10:00:00+09:00), got {value.isoformat()}"
        )
    return value


def parse_instant(text: str, field: str = "datetime") -> datetime:
    """Parse an RFC 3339 / ISO 8601 instant that must carry an offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise NaiveDatetimeError(f"{field} is not an ISO 8601 datetime: {text!r}") from exc
    return aware(value, field)


def utcnow() -> datetime:
    """The one place the adapters read the clock; pure code takes `at` instead."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Normalise for storage; SQLite keeps no offsets, so everything is stored in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
