"""Each token's budget of query cost: a leaky bucket that refills over time, as Shopify's does.

One request may cost at most the bucket's capacity; a caller that spends faster than the bucket
refills is told how long to wait. Buckets live in the process: with several instances behind a
load balancer, each instance keeps its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Charge:
    """The outcome of asking for `cost` points."""

    allowed: bool
    # Points left after the charge (or, when refused, before it).
    available: int
    # Seconds until the bucket holds enough for the refused request (0 when allowed).
    retry_after: float


@dataclass
class _Bucket:
    points: float
    at: float


class Budgets:
    """The buckets of every caller of one process, keyed by token."""

    def __init__(
        self,
        capacity: int,
        restore_rate: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.restore_rate = restore_rate
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def charge(self, key: int, cost: int) -> Charge:
        """Takes `cost` points from `key`'s bucket if it holds them; takes nothing otherwise."""
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(float(self.capacity), now))
        bucket.points = min(self.capacity, bucket.points + (now - bucket.at) * self.restore_rate)
        bucket.at = now
        if cost <= bucket.points:
            bucket.points -= cost
            return Charge(True, int(bucket.points), 0.0)
        return Charge(False, int(bucket.points), (cost - bucket.points) / self.restore_rate)
