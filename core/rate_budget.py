"""The order-rate budget: what the engine may spend on a venue's REST API, judged by its clock.

A venue documents its limits as budgets that refill over a window (Kraken Futures: 500 cost
every 10 s, ``sendorder`` costing 10; Binance.us: orders per 10 s and request weight per
minute). The adapter states them as ``RateLimit``s set *below* the documented numbers; here each
is a cost bucket that refills continuously (``capacity`` per ``window_s``), and every call the
engine makes is charged to every bucket that names it before it goes out. No loop can exceed
the budget: a call that does not fit waits until it does (queries, the kill switch), or is not
sent at all (a strategy order, which would be stale by then: the caller treats it as a refusal
to retry later).

The kill switch keeps a reserve: ordinary callers may not spend the last ``reserve`` of a
bucket, urgent ones (the kill switch's cancels, position reads and closes) may.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.clock import Clock

NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One of a venue's budgets as the engine keeps it (already below the documented limit).

    ``costs`` names the operations this budget charges (``place_order``, ``order_status``,
    ``cancel_all_orders``, ``open_positions``, ``open_orders``, ``account``) and what each costs;
    an operation not named costs nothing here. ``reserve`` is kept for the kill switch.
    """

    name: str
    capacity: int
    window_s: float
    costs: Mapping[str, int] = field(default_factory=dict)
    reserve: int = 0

    def __post_init__(self) -> None:
        if self.capacity <= 0 or self.window_s <= 0:
            raise ValueError("a rate limit needs a positive capacity and window")
        if not 0 <= self.reserve < self.capacity:
            raise ValueError("the reserve must be below the capacity")
        if any(cost > self.capacity for cost in self.costs.values()):
            raise ValueError("an operation costs more than the whole budget")


class _Bucket:
    def __init__(self, limit: RateLimit, now_ns: int) -> None:
        self.limit = limit
        self.level = float(limit.capacity)  # what is left to spend
        self._at_ns = now_ns
        self._per_ns = limit.capacity / (limit.window_s * NS)

    def refill(self, now_ns: int) -> None:
        if now_ns > self._at_ns:
            self.level = min(
                float(self.limit.capacity), self.level + (now_ns - self._at_ns) * self._per_ns
            )
            self._at_ns = now_ns

    def wait_ns(self, cost: int, urgent: bool) -> int:
        """How long until ``cost`` fits (0: now)."""
        floor = 0 if urgent else self.limit.reserve
        short = cost + floor - self.level
        return 0 if short <= 0 else int(short / self._per_ns) + 1


class RateBudget:
    """Every ``RateLimit`` of one venue, charged together."""

    def __init__(self, limits: tuple[RateLimit, ...], clock: Clock) -> None:
        self._clock = clock
        now = clock.mono_ns()
        self._buckets = [_Bucket(limit, now) for limit in limits]
        self.spent: dict[str, int] = {}
        """What was spent per operation (for the screen and the tests)."""
        self.refused = 0
        """Strategy orders not sent because the budget was spent."""
        self.waited = 0
        """Calls that had to wait for the budget to refill."""

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        return tuple(b.limit for b in self._buckets)

    def wait_ns(self, operation: str, *, urgent: bool = False) -> int:
        """How long until ``operation`` fits in every budget (0: it fits now)."""
        now = self._clock.mono_ns()
        longest = 0
        for bucket in self._buckets:
            cost = bucket.limit.costs.get(operation, 0)
            if cost:
                bucket.refill(now)
                longest = max(longest, bucket.wait_ns(cost, urgent))
        return longest

    def try_spend(self, operation: str, *, urgent: bool = False) -> bool:
        """Spend for ``operation`` now if it fits; False (nothing spent) if it does not."""
        if self.wait_ns(operation, urgent=urgent):
            return False
        for bucket in self._buckets:
            bucket.level -= bucket.limit.costs.get(operation, 0)
        self.spent[operation] = self.spent.get(operation, 0) + 1
        return True

    async def spend(self, operation: str, *, urgent: bool = False) -> None:
        """Spend for ``operation``, waiting (on the event loop) until it fits."""
        waited = False
        while not self.try_spend(operation, urgent=urgent):
            if not waited:
                self.waited += 1
                waited = True
            await asyncio.sleep(max(self.wait_ns(operation, urgent=urgent), 1_000_000) / NS)

    def level(self, name: str) -> float:
        """What is left of the budget ``name`` now."""
        now = self._clock.mono_ns()
        for bucket in self._buckets:
            if bucket.limit.name == name:
                bucket.refill(now)
                return bucket.level
        raise KeyError(name)
