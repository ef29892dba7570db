"""The order-rate budget: what the engine may spend on a venue's REST API, judged by its clock.

A venue documents its limits as budgets that refill over a window (Kraken Futures: 500 cost
every 10 s, ``sendorder`` costing 10; Binance.us: orders per 10 s and request weight per
minute). The adapter states them as ``RateLimit``s set *below* the documented numbers; here each
is a sliding window that never holds more than ``capacity`` (the cost spent in the last
``window_s``), and every call the engine makes is charged to every budget that names it before it
goes out. No loop can exceed
the budget: a call that does not fit waits until it does (queries, the kill switch), or is not
sent at all (a strategy order, which would be stale by then: the caller treats it as a refusal
to retry later).

The kill switch keeps a reserve: ordinary callers may not spend the last ``reserve`` of a
bucket, urgent ones (the kill switch's cancels, position reads and closes) may.
"""

from __future__ import annotations

import asyncio
from collections import deque
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
    """A sliding window: what was spent in the last ``window_s``, never more than
    ``capacity`` — whether the venue counts a token bucket or fixed windows, a sliding window of
    that size never holds more than the venue allows."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._window_ns = int(limit.window_s * NS)
        self._spent: deque[tuple[int, int]] = deque()  # (when, cost), oldest first
        self._total = 0

    def forget(self, now_ns: int) -> None:
        while self._spent and self._spent[0][0] <= now_ns - self._window_ns:
            self._total -= self._spent.popleft()[1]

    @property
    def level(self) -> int:
        """What is left to spend now (after ``forget``)."""
        return self.limit.capacity - self._total

    def spend(self, cost: int, now_ns: int) -> None:
        self._spent.append((now_ns, cost))
        self._total += cost

    def wait_ns(self, cost: int, urgent: bool, now_ns: int) -> int:
        """How long until ``cost`` fits (0: now)."""
        floor = 0 if urgent else self.limit.reserve
        short = cost + floor - self.level
        if short <= 0:
            return 0
        freed = 0
        for when, spent in self._spent:  # oldest first: they leave the window in this order
            freed += spent
            if freed >= short:
                return when + self._window_ns - now_ns + 1
        return self._window_ns  # cannot happen while costs fit the capacity


class RateBudget:
    """Every ``RateLimit`` of one venue, charged together."""

    def __init__(self, limits: tuple[RateLimit, ...], clock: Clock) -> None:
        self._clock = clock
        self._buckets = [_Bucket(limit) for limit in limits]
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
                bucket.forget(now)
                longest = max(longest, bucket.wait_ns(cost, urgent, now))
        return longest

    def try_spend(self, operation: str, *, urgent: bool = False) -> bool:
        """Spend for ``operation`` now if it fits; False (nothing spent) if it does not."""
        if self.wait_ns(operation, urgent=urgent):
            return False
        now = self._clock.mono_ns()
        for bucket in self._buckets:
            cost = bucket.limit.costs.get(operation, 0)
            if cost:
                bucket.spend(cost, now)
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

    def level(self, name: str) -> int:
        """What is left of the budget ``name`` now."""
        now = self._clock.mono_ns()
        for bucket in self._buckets:
            if bucket.limit.name == name:
                bucket.forget(now)
                return bucket.level
        raise KeyError(name)
