"""Orders whose outcome is uncertain: settled only from the venue's definitive word.

When the router could not learn what became of an order (its answer lost, the venue not saying
within the router's patience), the order is kept here as *uncertain*: entries are halted for the
product (REDUCING, ``Restriction.ORDER_UNCERTAIN``) and the venue is asked again, with backoff,
until it knows the order (its fills are then booked exactly, late) or the order carried a
deadline that has passed without the venue seeing it (provably never executed). A venue without
order deadlines can only settle it by showing it: until then the restriction stays, shown with
the client order id. Each settlement is followed by a reconciliation of the position.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.clock import Clock
from core.engine.execution import Execution
from core.engine.tasks import EngineTasks
from core.enums import OrderStatus
from core.ports import ExecutionVenue, OrderRequest, VenueError
from core.router import expired
from core.trading_state import Restriction, TradingGate


@dataclass(frozen=True, slots=True)
class UncertainOrder:
    request: OrderRequest
    signal_number: int
    decision_mid: float


class UncertainOrders:
    def __init__(
        self,
        *,
        venue: ExecutionVenue | None,
        execution: Execution,
        trading: TradingGate,
        tasks: EngineTasks,
        clock: Clock,
        notice: Callable[[str], None],
        reconcile: Callable[[str], Awaitable[None]],
        first_pause_s: float = 1.0,
        max_pause_s: float = 30.0,
    ) -> None:
        self._venue = venue
        self._execution = execution
        self._trading = trading
        self._tasks = tasks
        self._clock = clock
        self._notice = notice
        self._reconcile = reconcile
        self._first_pause_s = first_pause_s
        self._max_pause_s = max_pause_s
        self._pending: dict[str, UncertainOrder] = {}
        self.settled = 0

    @property
    def pending(self) -> tuple[str, ...]:
        """The client order ids still uncertain."""
        return tuple(self._pending)

    def add(self, request: OrderRequest, signal_number: int, decision_mid: float) -> None:
        cid = request.client_order_id
        self._pending[cid] = UncertainOrder(request, signal_number, decision_mid)
        self._restrict()
        self._notice(
            f"order {cid}: outcome uncertain; entries halted for {request.product} "
            "until the venue tells what became of it"
        )
        self._tasks.spawn(self._settle(cid), f"settle uncertain {cid}")

    def _restrict(self) -> None:
        if self._pending:
            ids = ", ".join(self._pending)
            self._trading.restrict(Restriction.ORDER_UNCERTAIN, f"asking the venue about {ids}")
        else:
            self._trading.lift(Restriction.ORDER_UNCERTAIN)

    async def _settle(self, cid: str) -> None:
        order = self._pending[cid]
        request = order.request
        attempt = 0
        while self._venue is not None:
            await asyncio.sleep(min(self._max_pause_s, self._first_pause_s * 2**attempt))
            attempt += 1
            try:
                result = await self._venue.order_status(cid, request.product)
            except VenueError as exc:
                if attempt == 1 or attempt % 10 == 0:
                    self._notice(f"order {cid}: still uncertain ({exc})")
                continue
            if result is None:
                if not expired(request, self._clock.wall_ns()):
                    continue
                self._notice(f"order {cid}: not placed (unseen by the venue after its deadline)")
            elif result.status in (OrderStatus.UNKNOWN, OrderStatus.OPEN):
                continue
            else:
                filled = result.filled_quantity
                self._notice(f"order {cid} settled late: {result.status.value}, filled {filled}")
                await self._execution.settle_late(
                    request, result, order.signal_number, order.decision_mid
                )
            break
        del self._pending[cid]
        self.settled += 1
        await self._reconcile(f"after order {cid} settled")
        self._restrict()
