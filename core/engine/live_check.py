"""Reconciliation during a live run: the ledger's position compared with the venue's.

Run every ``RECONCILE_INTERVAL_SECONDS`` and after every uncertain order is settled, with one
cheap call (open positions) paid from the rate budget. It compares only a quiet moment: no order
of the strategy in flight, none sent while the venue was read, no uncertain order (its fills are
still to be booked), no kill switch at work. A mismatch halts entries
(``Restriction.LEDGER_MISMATCH``), is shown as a notice and counted, and is resolved by adopting
the venue's position (``PositionKeeper.align_with_venue``, which says so) — never silently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from core.engine.counters import EngineCounters
from core.engine.protocols import PositionKeeper
from core.ports import ExecutionVenue, VenueError
from core.trading_state import Restriction, TradingGate


class LiveReconciler:
    def __init__(
        self,
        *,
        venue: ExecutionVenue | None,
        positions: PositionKeeper,
        trading: TradingGate,
        counters: EngineCounters,
        notice: Callable[[str], None],
        quiet: Callable[[], bool],
        orders_sent: Callable[[], int],
    ) -> None:
        self._venue = venue
        self._positions = positions
        self._trading = trading
        self._counters = counters
        self._notice = notice
        self._quiet = quiet
        self._orders_sent = orders_sent
        self._lock = asyncio.Lock()
        self.checks = 0
        self.mismatches = 0

    async def run(self, interval_s: float) -> None:
        """Check every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            await self.check("periodic check")

    async def check(self, why: str) -> None:
        venue, positions = self._venue, self._positions
        if venue is None or not self._quiet():
            return
        async with self._lock:
            sent = self._orders_sent()
            try:
                held = [
                    p
                    for p in await venue.open_positions()
                    if p.product == positions.symbol and p.quantity != 0
                ]
            except VenueError as exc:
                self._notice(f"reconcile ({why}): cannot read the venue's position ({exc})")
                return
            if self._orders_sent() != sent or not self._quiet():
                return  # an order went out meanwhile: the answer may predate it
            self.checks += 1
            venue_quantity = sum((p.quantity for p in held), Decimal(0))
            ledger_quantity = positions.position.quantity
            if venue_quantity == ledger_quantity:
                return
            self.mismatches += 1
            detail = f"ledger {ledger_quantity}, venue {venue_quantity} {positions.symbol}"
            self._trading.restrict(Restriction.LEDGER_MISMATCH, detail)
            self._notice(f"reconcile ({why}): MISMATCH {detail}: entries halted")
            try:
                positions.align_with_venue(held[0] if held else None)
                self._notice("reconcile: the venue's position adopted; entries allowed again")
            finally:
                self._trading.lift(Restriction.LEDGER_MISMATCH)
