"""The overview's counts: Korea's days bound the period, weeks start on Monday, and an empty
period still has every day (zeros), so a chart's axis never skips a day."""

from datetime import UTC, date, datetime

import pytest

from databorder.gateway.overview import (
    MAX_DAYS,
    Day,
    korean_day,
    overview,
    period_bounds,
    weekly,
)
from databorder.runtime import Runtime


def test_a_period_is_bounded_by_koreas_midnights() -> None:
    start, end = period_bounds(date(2026, 11, 1), date(2026, 11, 2))
    assert start == datetime(2026, 10, 31, 15, tzinfo=UTC)
    assert end == datetime(2026, 11, 2, 15, tzinfo=UTC)


def test_a_period_backwards_or_too_long_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        period_bounds(date(2026, 11, 2), date(2026, 11, 1))
    with pytest.raises(ValueError, match=f"at most {MAX_DAYS} days"):
        period_bounds(date(2025, 1, 1), date(2026, 1, 2))


def test_late_evening_utc_is_the_next_day_in_korea() -> None:
    assert korean_day(datetime(2026, 11, 1, 14, 59, tzinfo=UTC)) == date(2026, 11, 1)
    assert korean_day(datetime(2026, 11, 1, 15, 0, tzinfo=UTC)) == date(2026, 11, 2)


def test_weeks_start_on_monday_and_keep_every_count() -> None:
    days = [Day(date(2026, 11, n), n, 1) for n in range(1, 10)]  # Sunday 1st to Monday 9th
    assert weekly(days) == (
        Day(date(2026, 10, 26), 1, 1),
        Day(date(2026, 11, 2), 2 + 3 + 4 + 5 + 6 + 7 + 8, 7),
        Day(date(2026, 11, 9), 9, 1),
    )


def test_an_empty_period_has_every_day_at_zero(runtime: Runtime) -> None:
    with runtime.reads() as db:
        counts = overview(db, date(2026, 11, 1), date(2026, 11, 7))
    assert [d.day for d in counts.days] == [date(2026, 11, n) for n in range(1, 8)]
    assert {(d.allowed, d.refused) for d in counts.days} == {(0, 0)}
    assert counts.countries == counts.recipients == ()
    assert counts.grounds == counts.reasons == ()
