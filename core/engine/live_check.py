"""Reconciliation during a live run: the ledger's position compared with the venue's.

Run every ``RECONCILE_INTERVAL_SECONDS`` and after every uncertain order is settled, with one
cheap call (open positions) paid from the rate budget. It compares only a quiet moment: no order
of the strategy in flight, none sent while the venue was read, no uncertain order (its fills are
still to be booked), no kill switch at work. A mismatch halts entries
(``Restriction.LEDGER_MISMATCH``), is shown as a notice and counted, and is resolved by adopting
the venue's truth — never silently: where the venue lists its executions, the fills the session
does not know (not of an order it sent, not booked, since the run began) are booked when they
account for the difference exactly, with their prices, times and fees, so P&L and today's risk
tallies count them; otherwise the venue's position is adopted (``align_with_venue``, which says
so).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from core.engine.counters import EngineCounters
from core.engine.execution import Execution
from core.engine.protocols import PositionKeeper
from core.enums import Side
from core.ports import AccountFill, ExecutionVenue, VenueError
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
        execution: Execution,
        since_wall_ns: int,
    ) -> None:
        self._venue = venue
        self._positions = positions
        self._trading = trading
        self._counters = counters
        self._notice = notice
        self._quiet = quiet
        self._execution = execution
        self._since_wall_ns = since_wall_ns
        self._lock = asyncio.Lock()
        self.checks = 0
        self.mismatches = 0

    async def run(self, interval_s: float) -> None:
        """Check every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            await self.check("periodic check")

    async def check(self, why: str) -> bool:
        """Compare now (and resolve a mismatch); False when it could not: not a quiet moment,
        or the venue could not be read."""
        venue, positions = self._venue, self._positions
        if venue is None or not self._quiet():
            return False
        async with self._lock:
            sent = self._execution.sent
            try:
                held = [
                    p
                    for p in await venue.open_positions()
                    if p.product == positions.symbol and p.quantity != 0
                ]
            except VenueError as exc:
                self._notice(f"reconcile ({why}): cannot read the venue's position ({exc})")
                return False
            if self._execution.sent != sent or not self._quiet():
                return False  # an order went out meanwhile: the answer may predate it
            self.checks += 1
            venue_quantity = sum((p.quantity for p in held), Decimal(0))
            ledger_quantity = positions.position.quantity
            if venue_quantity == ledger_quantity:
                return True
            self.mismatches += 1
            detail = f"ledger {ledger_quantity}, venue {venue_quantity} {positions.symbol}"
            self._trading.restrict(Restriction.LEDGER_MISMATCH, detail)
            self._notice(f"reconcile ({why}): MISMATCH {detail}: entries halted")
            try:
                if not await self._book_outside_fills(venue_quantity - ledger_quantity):
                    positions.align_with_venue(held[0] if held else None)
                    self._notice("reconcile: the venue's position adopted; entries allowed again")
            finally:
                self._trading.lift(Restriction.LEDGER_MISMATCH)
            return True

    async def _book_outside_fills(self, difference: Decimal) -> bool:
        """Book the venue's executions the session does not know, if they are exactly the
        ``difference`` (signed); False when the venue cannot list them or they do not add up."""
        read = getattr(self._venue, "recent_fills", None)
        if read is None or (
            hasattr(self._venue, "can_read_fills") and not self._venue.can_read_fills
        ):  # type: ignore[union-attr]
            return False
        try:
            listed: list[AccountFill] = await read()
        except VenueError as exc:
            self._notice(f"reconcile: cannot read the venue's fills ({exc})")
            return False
        execution = self._execution
        unknown = [
            f
            for f in listed
            if f.product == self._positions.symbol
            and f.wall_ns >= self._since_wall_ns
            and f.client_order_id not in execution.sent_ids
            and f.fill_id not in execution.booked_fill_ids
        ]
        signed = sum(
            (f.quantity if f.side is Side.BUY else -f.quantity for f in unknown), Decimal(0)
        )
        if not unknown or signed != difference:
            return False
        pending = execution.book_outside(unknown)
        if pending is not None:
            await pending
        self._notice(
            f"reconcile: booked {len(unknown)} fill(s) made outside the session "
            f"({signed:+} {self._positions.symbol}); ledger {self._positions.position.quantity}"
        )
        return True
