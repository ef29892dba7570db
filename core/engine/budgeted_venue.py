"""The venue as the engine's parts see it: every call charged to the order-rate budget first.

``BudgetedVenue`` wraps the adapter (``core.ports.ExecutionVenue``) with the venue's
``RateBudget`` (``core.rate_budget``). The router, the reconciliation and the uncertain-order
settler use the ordinary view; the kill switch the ``urgent`` one, which may spend the reserve.
Queries wait until the budget allows them; a strategy order that does not fit now is not sent
(``BudgetSpent``, a refusal to retry later), since it would go out stale.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.instrument import Instrument
from core.ports import (
    AccountFill,
    AccountSnapshot,
    ExecutionVenue,
    OpenOrder,
    OrderRequest,
    OrderResult,
    Refusal,
    VenueError,
    VenuePosition,
)
from core.rate_budget import RateBudget


class BudgetSpent(VenueError):
    """A strategy order not sent: the order-rate budget kept below the venue's limit is spent."""

    def __init__(self) -> None:
        super().__init__(
            "order not sent: the order-rate budget is spent (kept below the venue's limit)",
            retryable=True,
            code="budget_spent",
            refusal=Refusal.RETRY_LATER,
        )


class BudgetedVenue:
    """An ``ExecutionVenue`` whose every call is paid for from ``budget`` before it is made."""

    def __init__(self, venue: ExecutionVenue, budget: RateBudget, *, urgent: bool = False) -> None:
        self.inner = venue
        self.budget = budget
        self._urgent = urgent
        self.order_deadline_s: float | None = getattr(venue, "order_deadline_s", None)

    def urgent(self) -> BudgetedVenue:
        """The kill switch's view: the same budget, the reserve included."""
        return BudgetedVenue(self.inner, self.budget, urgent=True)

    async def instruments(self) -> Mapping[str, Instrument]:
        return await self.inner.instruments()

    async def place_order(self, order: OrderRequest) -> OrderResult:
        if self._urgent:
            await self.budget.spend("place_order", urgent=True)
        elif not self.budget.try_spend("place_order"):
            self.budget.refused += 1
            raise BudgetSpent
        return await self.inner.place_order(order)

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        await self.budget.spend("order_status", urgent=self._urgent)
        return await self.inner.order_status(client_order_id, product)

    async def cancel_all_orders(self, product: str | None = None) -> None:
        await self.budget.spend("cancel_all_orders", urgent=self._urgent)
        await self.inner.cancel_all_orders(product)

    async def open_positions(self) -> list[VenuePosition]:
        await self.budget.spend("open_positions", urgent=self._urgent)
        return await self.inner.open_positions()

    async def open_orders(self) -> list[OpenOrder]:
        await self.budget.spend("open_orders", urgent=self._urgent)
        return await self.inner.open_orders()

    async def account(self) -> AccountSnapshot:
        await self.budget.spend("account", urgent=self._urgent)
        return await self.inner.account()

    @property
    def can_read_fills(self) -> bool:
        return hasattr(self.inner, "recent_fills")

    async def recent_fills(self) -> list[AccountFill]:
        await self.budget.spend("recent_fills", urgent=self._urgent)
        fills: list[AccountFill] = await self.inner.recent_fills()  # type: ignore[attr-defined]
        return fills

    async def close(self) -> None:
        await self.inner.close()
