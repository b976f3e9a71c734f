"""A token bucket per caller: per recipient on the seller API, per address on officer sign-in.

One seller's scraper cannot starve the others, and one address cannot guess passwords faster
than the sign-in allows. The buckets live in the worker process: with N workers a caller gets up
to N times the rate, which is stated in docs/deploy.md; a shared limiter (at the proxy or in
Redis) replaces it when that matters. The clock is monotonic, so wall-clock jumps neither punish
nor reward anyone.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from databorder.errors import TooManyRequests


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_callers: int = 100_000,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError(
                f"rate must be positive and burst at least 1, got {per_second}, {burst}"
            )
        self.per_second = per_second
        self.burst = burst
        self.max_callers = max_callers
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, who: str) -> None:
        """Spend one token for `who`, or raise TooManyRequests saying when to come back."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(who)
            if bucket is None:
                if len(self._buckets) >= self.max_callers:
                    self._forget_full(now)
                bucket = self._buckets[who] = _Bucket(float(self.burst), now)
            bucket.tokens = min(
                self.burst, bucket.tokens + (now - bucket.updated) * self.per_second
            )
            bucket.updated = now
            if bucket.tokens < 1:
                raise TooManyRequests((1 - bucket.tokens) / self.per_second)
            bucket.tokens -= 1

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes no one's answer.

        Without this, callers from ever new addresses would grow the table without bound.
        """
        self._buckets = {
            who: bucket
            for who, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self.per_second < self.burst
        }
