"""Settling what was in flight when the last run died: the venue's word, booked exactly.

A live order's client id is stored (``SENT``) before it leaves for the venue. After a crash the
next run finds the orders of the session without a final state and, before its start-up
reconciliation compares positions, asks the venue about each: its fills are booked into the
ledger like any other fills (the venue's prices, sizes, fees where it says them, and fill
times), so a round trip closes against its real entry, the report keeps it, and today's risk
tallies (the daily loss) count it. Fills already stored are not booked twice.

An order the venue has no record of was never placed (it can no longer execute: the process
that sent it is gone, and time has passed). An order the venue cannot answer for after a few
tries stops the start: trading on a guessed position is exactly what this prevents.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from core.enums import OrderStatus
from core.ports import ExecutionVenue, OrderRequest, OrderResult, VenueError

NEVER_PLACED = "the venue has no record of it at restart: never placed"


class SettleError(Exception):
    """An order sent before the restart could not be settled; the message says which."""


@dataclass(frozen=True, slots=True)
class InFlightOrder:
    """An order stored as sent whose outcome the store does not hold."""

    request: OrderRequest
    signal_number: int | None = None
    stored_fill_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Settlement:
    asked: int = 0
    filled: int = 0  # orders that had fills at the venue
    fills_booked: int = 0  # fills new to the store, booked now
    never_placed: int = 0

    def describe(self) -> str:
        return (
            f"start-up: settled {self.asked} order(s) in flight at the last stop: "
            f"{self.filled} filled ({self.fills_booked} fill(s) booked), "
            f"{self.never_placed} never placed"
        )


BookSettled = Callable[[InFlightOrder, OrderResult], Awaitable[int]]
"""Records the order's outcome and books its fills not yet stored; returns how many it booked."""


async def settle_in_flight(
    orders: Sequence[InFlightOrder],
    venue: ExecutionVenue,
    book: BookSettled,
    notice: Callable[[str], None],
    *,
    attempts: int = 4,
    backoff_s: float = 0.5,
) -> Settlement:
    """Ask the venue about each order, oldest first, and book what it says (module doc)."""
    filled = booked = never = 0
    for order in orders:
        result = await _ask(order.request, venue, attempts, backoff_s)
        if result is None:
            never += 1
            result = OrderResult(
                order.request.client_order_id, OrderStatus.NOT_FILLED, reason=NEVER_PLACED
            )
        elif result.fills:
            filled += 1
        booked += await book(order, result)
    settlement = Settlement(len(orders), filled, booked, never)
    if orders:
        notice(settlement.describe())
    return settlement


async def _ask(
    request: OrderRequest, venue: ExecutionVenue, attempts: int, backoff_s: float
) -> OrderResult | None:
    last = ""
    for attempt in range(attempts):
        try:
            result = await venue.order_status(request.client_order_id, request.product)
        except VenueError as exc:
            last = str(exc)
            if not exc.retryable:
                break
        else:
            if result is None or result.status is not OrderStatus.UNKNOWN:
                return result
            last = result.reason or "status unknown"
        if attempt < attempts - 1:
            await asyncio.sleep(backoff_s * 2**attempt)
    raise SettleError(
        f"order {request.client_order_id} was in flight when the last run stopped and the "
        f"venue cannot say what became of it ({last}); not trading on a guess"
    )
