"""The order-rate budget: judged by the engine's clock, never exceeded, a reserve kept for the kill
switch (``core.rate_budget``, ``core.engine.budgeted_venue``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.clock import ManualClock, SystemClock
from core.engine.budgeted_venue import BudgetedVenue, BudgetSpent
from core.enums import OrderStatus, Side
from core.ports import OrderRequest, OrderResult, Refusal, VenuePosition
from core.rate_budget import RateBudget, RateLimit

LIMIT = RateLimit(
    "cost per 10 s",
    capacity=100,
    window_s=10.0,
    costs={"place_order": 10, "open_positions": 2, "order_status": 3},
    reserve=30,
)
ORDER = OrderRequest("c", "PF_XBTUSD", Side.BUY, Decimal(1))
NS = 1_000_000_000


class CountingVenue:
    """Answers everything at once; counts what reached it and when (the clock's ns)."""

    def __init__(self, clock: ManualClock | SystemClock) -> None:
        self.clock = clock
        self.calls: list[tuple[int, str]] = []

    async def place_order(self, order: OrderRequest) -> OrderResult:
        self.calls.append((self.clock.mono_ns(), "place_order"))
        return OrderResult(order.client_order_id, OrderStatus.FILLED)

    async def open_positions(self) -> list[VenuePosition]:
        self.calls.append((self.clock.mono_ns(), "open_positions"))
        return []


def test_ordinary_callers_stop_at_the_reserve_and_the_kill_switch_may_spend_it() -> None:
    budget = RateBudget((LIMIT,), ManualClock())
    sent = 0
    while budget.try_spend("place_order"):
        sent += 1
    assert sent == 7, "100 - 30 reserved = 70: seven orders of 10"
    assert budget.try_spend("place_order", urgent=True)
    assert budget.try_spend("place_order", urgent=True)
    assert budget.try_spend("place_order", urgent=True)
    assert not budget.try_spend("place_order", urgent=True), "nothing left at all"


def test_what_was_spent_comes_back_when_it_leaves_the_window() -> None:
    clock = ManualClock()
    budget = RateBudget((LIMIT,), clock)
    assert budget.try_spend("place_order")
    clock.advance(5 * NS)
    while budget.try_spend("place_order"):
        pass
    clock.advance(5 * NS)  # the first order leaves the 10 s window
    assert budget.try_spend("place_order")
    assert not budget.try_spend("place_order")
    assert budget.wait_ns("place_order") == 5 * NS + 1


async def test_a_strategy_order_over_budget_is_not_sent_and_is_a_refusal_to_retry_later() -> None:
    clock = ManualClock()
    venue = CountingVenue(clock)
    budgeted = BudgetedVenue(venue, RateBudget((LIMIT,), clock))  # type: ignore[arg-type]
    results = []
    for _ in range(50):  # a loop that would storm
        try:
            results.append(await budgeted.place_order(ORDER))
        except BudgetSpent as exc:
            assert exc.refusal is Refusal.RETRY_LATER
    assert len(venue.calls) == len(results) == 7
    assert budgeted.budget.refused == 43


async def test_no_loop_exceeds_the_budget_in_any_window() -> None:
    clock = SystemClock()  # the engine's real clock: the waits are real, the window short
    limit = RateLimit("fast", capacity=100, window_s=0.1, costs=LIMIT.costs, reserve=30)
    venue = CountingVenue(clock)
    urgent = BudgetedVenue(venue, RateBudget((limit,), clock)).urgent()  # type: ignore[arg-type]
    for _ in range(60):  # a loop that would storm: its calls wait for the budget instead
        await urgent.open_positions()
        await urgent.place_order(ORDER)
    cost = {"place_order": 10, "open_positions": 2}
    window = int(limit.window_s * NS)
    assert venue.calls[-1][0] - venue.calls[0][0] > 5 * window, "it had to wait for refills"
    for start, _ in venue.calls:
        spent = sum(cost[op] for t, op in venue.calls if start <= t < start + window)
        assert spent <= limit.capacity, "never more than the capacity in any window"


def test_a_limit_must_make_sense() -> None:
    with pytest.raises(ValueError, match="reserve"):
        RateLimit("x", capacity=10, window_s=1, reserve=10)
    with pytest.raises(ValueError, match="costs more"):
        RateLimit("x", capacity=10, window_s=1, costs={"place_order": 11})
