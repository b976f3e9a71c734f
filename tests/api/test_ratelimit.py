"""The per-recipient rate limit: a burst, then a steady rate, then a clear 429."""

import pytest

from databorder.api.ratelimit import RateLimiter
from databorder.errors import TooManyRequests


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refusal_then_refill() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=2, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("s-1")
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("s-1")
    assert refused.value.status == 429
    assert refused.value.retry_after == 1  # half a second, rounded up to whole seconds
    limiter.take("s-2")  # another recipient has its own bucket
    clock.now += 0.5  # one token back at 2 per second
    limiter.take("s-1")
    with pytest.raises(TooManyRequests):
        limiter.take("s-1")


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(per_second=0, burst=1)


def test_full_buckets_are_forgotten_so_many_callers_cannot_grow_it_without_bound() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=1, burst=2, clock=clock, max_callers=100)
    for n in range(100):
        limiter.take(f"203.0.113.{n}")
    limiter.take("busy")
    limiter.take("busy")
    clock.now += 10  # every bucket but a fresh one has refilled by now
    limiter.take("one more")  # over the bound: the full buckets are dropped
    assert len(limiter) <= 2
    spent = RateLimiter(per_second=1, burst=1, clock=clock, max_callers=1)
    spent.take("a")
    spent.take("b")  # over the bound, but a's bucket is not full: kept, not forgiven
    with pytest.raises(TooManyRequests):
        spent.take("a")
