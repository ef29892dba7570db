"""The kill switch: stop new entries, cancel, close at market, and confirm flat.

Engaging it blocks every new entry at once: while it flattens trading is HALTED (no decision
at all, only its own reduce-only closes go out), and while it holds afterwards REDUCING (the
risk manager refuses entries) — see ``core.trading_state``. Then, live: cancel the
product's open orders, close its position with reduce-only market orders, and poll the venue until
it reports no position and no open order, retrying with backoff; paper and dry-run: close the
simulated position against the book. The outcome (confirmed flat, or what is still open) is kept
in ``status`` and announced through the notices and the observers. It stays engaged until
``release``.

A *protective* flatten (``hold=False``: the book was not LIVE for too long, or an unexpected
position was found at start) releases itself once flat, so entries resume when the book does;
if anyone asks for a real kill switch meanwhile, it holds. A *patient* simulated flatten waits
for a LIVE book as long as it takes (a paper close needs current prices); a real kill switch
joining it makes it impatient again (a bounded number of tries).

Live, the venue is the truth: a venue position the ledger does not know (an order whose answer
was lost) is adopted into the ledger before it is closed, so the closing fills book correctly.
Flat is only confirmed when no order's outcome is uncertain any more (``core.engine.uncertain``):
such an order may still reach the venue, so while one is, the flatten keeps trying and, if it
stays, ends NOT FLAT (the stop then exits 1 and leaves the dead-man's switch armed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from core.book import OrderBook
from core.engine.protocols import OrderDesk, PositionKeeper, StrategyDesk
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import BookState, OrderType, Side
from core.observer import EngineObserver
from core.ports import ExecutionVenue, OrderRequest, VenueError
from core.trading_state import Restriction, TradingGate


class KillSwitch:
    def __init__(
        self,
        *,
        orders: OrderDesk,
        trader: StrategyDesk,
        positions: PositionKeeper,
        trading: TradingGate,
        book: OrderBook,
        venue: ExecutionVenue | None,
        notice: Callable[[str], None],
        observers: EngineObserver,
        unsettled: Callable[[], tuple[str, ...]] = tuple,
        attempts: int = 8,
        first_backoff_s: float = 0.25,
        max_backoff_s: float = 4.0,
    ) -> None:
        self._orders = orders
        self._trader = trader
        self._positions = positions
        self._trading = trading
        self._book = book
        self._venue = venue
        self._notice = notice
        self._observers = observers
        self._unsettled = unsettled
        self._attempts = attempts
        self._first_backoff_s = first_backoff_s
        self._max_backoff_s = max_backoff_s
        self.status = KillSwitchStatus()
        self._running: asyncio.Task[KillSwitchStatus] | None = None
        self._hold = True  # stay engaged once flat (False: a protective flatten, released)
        self._patient = False  # simulated: wait for a LIVE book as long as it takes
        self._tries_from = 0  # the attempt from which the bounded tries count

    @property
    def running(self) -> bool:
        return self._running is not None and not self._running.done()

    def release(self) -> None:
        if not self.running:
            self.status = KillSwitchStatus()
            self._trading.lift(Restriction.KILL_SWITCH)

    async def flatten(
        self, reason: str, *, hold: bool = True, patient: bool = False
    ) -> KillSwitchStatus:
        """Engage and flatten; a second press while flattening joins the first.

        ``hold=False`` releases the switch once flat (unless a holding caller joined);
        ``patient=True`` lets a simulated close wait for a LIVE book without a limit.
        """
        if not self.running:
            self.status = KillSwitchStatus(KillSwitchPhase.FLATTENING, "stopping entries")
            self._hold, self._patient, self._tries_from = hold, patient, 0
            self._trading.restrict(Restriction.KILL_SWITCH)
            self._trading.restrict(Restriction.KILL_SWITCH_FLATTENING)
            self._running = asyncio.ensure_future(self._flatten(reason))
            self._running.set_name("kill switch")
        elif hold:
            self._hold = True
            self._patient = False
        return await asyncio.shield(self._running)

    def cancel(self) -> None:
        """Ask a flatten still running to stop, without waiting (``close`` waits for it)."""
        task = self._running
        if task is not None and not task.done():
            task.cancel()

    async def close(self) -> None:
        """Let a flatten still running end before the engine closes (the engine calls it).

        A shutdown never cuts a flatten short, even one that leaves positions as they are: the
        trader's kill switch was already under way. A patient simulated close stops being
        patient here: it gets its counted tries, then reports what is still open.
        """
        task = self._running
        if task is not None and not task.done():
            self._patient = False
            await asyncio.wait({task})

    async def _flatten(self, reason: str) -> KillSwitchStatus:
        notice = self._notice
        notice(f"KILL SWITCH engaged ({reason}): entries stopped, flattening")
        try:
            if not await self._trader.wait_idle(10.0):
                notice("an order was still in flight after 10s; flattening anyway")
            if self._orders.live:
                status = await self._flatten_at_venue(reason)
            else:
                status = await self._flatten_simulated(reason)
        finally:
            self._trading.lift(Restriction.KILL_SWITCH_FLATTENING)
        self.status = status
        notice(f"KILL SWITCH: {status.detail}")
        if status.phase is KillSwitchPhase.FLAT and not self._hold:
            self.status = KillSwitchStatus()
            self._trading.lift(Restriction.KILL_SWITCH)
            notice("protective flatten done: entries allowed again once the book is LIVE")
        self._observers.on_kill_switch(status, reason)
        return status

    def _more_tries(self, attempt: int) -> bool:
        return self._patient or attempt - self._tries_from < self._attempts

    def _pause(self, attempt: int) -> float:
        if self._patient:
            return min(self._first_backoff_s, 0.1)
        return self._backoff(attempt - self._tries_from)

    def _backoff(self, attempt: int) -> float:
        return min(self._max_backoff_s, self._first_backoff_s * (2**attempt))

    def _progress(self, detail: str) -> None:
        self.status = KillSwitchStatus(KillSwitchPhase.FLATTENING, detail)

    async def _flatten_simulated(self, reason: str) -> KillSwitchStatus:
        book, positions = self._book, self._positions
        number: int | None = None
        attempt = 0
        was_patient = self._patient
        while self._more_tries(attempt):
            if was_patient and not self._patient:  # a real kill switch joined: count from here
                was_patient, self._tries_from = False, attempt
            quantity = positions.position.quantity
            if quantity == 0:
                return KillSwitchStatus(KillSwitchPhase.FLAT, "flat confirmed (simulated)")
            side = Side.SELL if quantity > 0 else Side.BUY
            if number is None:
                number = self._trader.record_close(reason, abs(quantity)).number
            request = self._close_request(side, abs(quantity))
            mid = book.mid
            # Never "fill" a simulated close at prices of a book that is not current.
            if mid is not None and book.state is BookState.LIVE:
                self._progress(f"closing {abs(quantity)} at market")
                await self._close(request, number, mid)
                if positions.position.quantity == 0:
                    continue
            state = book.state.value
            self._progress(f"book is {state} or too thin to close against; retrying")
            await asyncio.sleep(self._pause(attempt))
            attempt += 1
        left = f"{positions.position.quantity} {positions.symbol}"
        return KillSwitchStatus(KillSwitchPhase.FAILED, f"NOT FLAT: {left} still open")

    async def _flatten_at_venue(self, reason: str) -> KillSwitchStatus:
        venue, positions = self._venue, self._positions
        assert venue is not None
        symbol = positions.symbol
        number: int | None = None
        still_open = "venue not reached"
        for attempt in range(self._attempts):
            try:
                self._progress("cancelling open orders")
                await venue.cancel_all_orders(symbol)
                held = [
                    p
                    for p in await venue.open_positions()
                    if p.product == symbol and p.quantity != 0
                ]
                orders = [o for o in await venue.open_orders() if o.product == symbol]
            except VenueError as exc:
                still_open = f"venue error: {exc}"
                if not exc.retryable:  # refused (keys, permissions): asking again will not help
                    return KillSwitchStatus(KillSwitchPhase.FAILED, f"NOT FLAT: {still_open}")
                self._progress(f"{still_open}; retrying")
                await asyncio.sleep(self._backoff(attempt))
                continue
            uncertain = self._unsettled()
            if not held and not orders and not uncertain:
                positions.align_with_venue(None)
                return KillSwitchStatus(KillSwitchPhase.FLAT, "flat confirmed by the venue")
            if not held and not orders:
                still_open = f"order {', '.join(uncertain)} outcome uncertain (may still execute)"
                self._progress(f"{still_open}; asking again")
                await asyncio.sleep(self._backoff(attempt))
                continue
            still_open = ", ".join(
                [f"position {p.quantity} {p.product}" for p in held]
                + [f"order {o.client_order_id or o.venue_order_id}" for o in orders]
            )
            for position in held:
                positions.align_with_venue(position)
                side = Side.SELL if position.quantity > 0 else Side.BUY
                if number is None:
                    number = self._trader.record_close(reason, abs(position.quantity)).number
                request = self._close_request(side, abs(position.quantity))
                self._progress(f"closing {abs(position.quantity)} at market (reduce-only)")
                await self._close(request, number, self._book.mid or 0.0)
            await asyncio.sleep(self._backoff(attempt))
        detail = f"NOT FLAT after {self._attempts} tries: {still_open}"
        return KillSwitchStatus(KillSwitchPhase.FAILED, detail)

    async def _close(self, request: OrderRequest, number: int, mid: float) -> None:
        """Through the one submit path, waited for until the fills are booked and committed."""
        pending = self._orders.submit(request, number, mid, urgent=True)
        if pending is not None:
            await pending

    def _close_request(self, side: Side, quantity: Decimal) -> OrderRequest:
        return OrderRequest(
            client_order_id=self._orders.new_order_id(),
            product=self._positions.symbol,
            side=side,
            quantity=quantity,
            order_type=OrderType.MARKET,
            reduce_only=True,
        )
