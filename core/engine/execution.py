"""Execution: the one way an order goes out, for the strategy and the kill switch alike.

``submit`` checks the order against the trading state (``core.trading_state``), records it as
sent, then fills it against the book at once (dry-run and paper: the fill sees exactly the book
the decision saw) or sends it to the venue (live), records the answer, books the fills into the
ledger and hands them to the journal. What is left to wait for (the live send, the fills' commit)
is returned to the caller, who decides whether to wait for it or let it run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal

from core.book import OrderBook
from core.clock import Clock
from core.engine.counters import EngineCounters
from core.engine.mode import ModeSwitch
from core.engine.positions import Positions
from core.engine.recording import Recording
from core.engine.signals import SignalLog
from core.enums import Mode, OrderStatus
from core.events import Fill
from core.ledger import BookedFill
from core.observer import EngineObserver
from core.ports import AccountFill, OrderRequest, OrderResult
from core.risk import RiskManager
from core.router import OrderIdFactory, OrderRouter
from core.trading_state import TradingGate


class Execution:
    def __init__(
        self,
        *,
        book: OrderBook,
        router: OrderRouter,
        mode: ModeSwitch,
        trading: TradingGate,
        positions: Positions,
        risk: RiskManager,
        recording: Recording,
        counters: EngineCounters,
        observers: EngineObserver,
        clock: Clock,
        notice: Callable[[str], None],
        order_ids: OrderIdFactory,
        signals: SignalLog | None = None,
    ) -> None:
        self._book = book
        self._router = router
        self._mode = mode
        self._trading = trading
        self._positions = positions
        self._risk = risk
        self._recording = recording
        self._counters = counters
        self._observers = observers
        self._clock = clock
        self._notice = notice
        self._order_ids = order_ids
        self._signals = signals
        self.sent = 0
        """Live orders handed to the venue so far (a reconciliation compares before and after)."""
        self.sent_ids: set[str] = set()
        """Client ids of the live orders this run sent (its fills are never "outside" ones)."""
        self.booked_fill_ids: set[str] = set()

    @property
    def live(self) -> bool:
        """Orders go to the venue (else they are filled against the book)."""
        return self._mode.current is Mode.LIVE

    def new_order_id(self) -> str:
        return self._order_ids()

    def submit(
        self,
        request: OrderRequest,
        signal_number: int,
        decision_mid: float,
        decided_mono_ns: int | None = None,
        *,
        urgent: bool = False,
    ) -> Awaitable[OrderResult] | None:
        """Send one order (module doc); returns what is left to wait for, None when nothing is.

        ``decided_mono_ns`` (monotonic) is when the decision behind it was taken, for the
        decision -> order latency; ``decision_mid`` the mid its slippage is measured against;
        ``urgent`` (the kill switch's closes) may spend the rate budget's reserve.
        """
        if not self._trading.admits(reduce_only=request.reduce_only):
            status = self._trading.status
            self._notice(
                f"order {request.client_order_id} not sent: trading {status.state.value} "
                f"({status.reason})"
            )
            return None
        self._record(request, None, signal_number)
        if self.live:
            self.sent += 1
            self.sent_ids.add(request.client_order_id)
            return self._send(request, signal_number, decision_mid, decided_mono_ns, urgent)
        result, fills = self._router.simulate(
            self._book, request, decision_mid, decided_mono_ns=decided_mono_ns
        )
        self._record(request, result, signal_number)
        pending = self._book_fills(fills, decision_mid)
        return None if pending is None else _after(pending, result)

    async def _send(
        self,
        request: OrderRequest,
        signal_number: int,
        decision_mid: float,
        decided_mono_ns: int | None,
        urgent: bool,
    ) -> OrderResult:
        # Its id is stored before it can exist at the venue; unrecorded, only a close still goes.
        if not await self._recording.durable() and not request.reduce_only:
            result = OrderResult(
                request.client_order_id, OrderStatus.REJECTED, reason="not sent: store failed"
            )
            self._record(request, result, signal_number)
            return result
        result, fills = await self._router.send(
            request, decision_mid, decided_mono_ns=decided_mono_ns, urgent=urgent
        )
        self._record(request, result, signal_number)
        pending = self._book_fills(fills, decision_mid)
        if pending is not None:
            await pending
        return result

    async def book_settled(
        self,
        request: OrderRequest,
        result: OrderResult,
        signal_number: int | None,
        stored_fill_ids: frozenset[str],
    ) -> int:
        """An order of an earlier run, settled by the venue's word (``core.engine.settle``):
        record its outcome and book the fills the store does not hold yet; returns how many."""
        fills = [
            f
            for f in self._router.fills_from(result, request.side, 0.0)
            if f.fill_id not in stored_fill_ids
        ]
        self._record(request, result, signal_number)
        pending = self._book_fills(fills, 0.0)
        if pending is not None:
            await pending
        return len(fills)

    async def settle_late(
        self, request: OrderRequest, result: OrderResult, signal_number: int, decision_mid: float
    ) -> None:
        """An uncertain order the venue has now told about: record its answer, book its fills."""
        self._record(request, result, signal_number)
        fills = self._router.fills_from(result, request.side, decision_mid)
        pending = self._book_fills(fills, decision_mid)
        if pending is not None:
            await pending

    def book_outside(self, fills: Iterable[AccountFill]) -> Awaitable[None] | None:
        """Executions the venue made outside the session (by hand, a liquidation): booked into the
        ledger and the journal like ours, so P&L and today's risk tallies count them."""
        booked = [self._router.fill_from_account(f) for f in fills]
        return self._book_fills(booked, 0.0)

    def _record(
        self, request: OrderRequest, result: OrderResult | None, signal_number: int | None
    ) -> None:
        self._recording.order(
            request, result, wall_ns=self._clock.wall_ns(), signal_number=signal_number
        )
        self._observers.on_order(request, result)
        if result is not None and result.fills and signal_number is not None:
            self._announce_fill(request, result, signal_number)

    def _announce_fill(self, request: OrderRequest, result: OrderResult, number: int) -> None:
        """A close sent "at market" shows its fill price; a part fill says its filled size."""
        filled = result.filled_quantity
        if filled <= 0:
            return
        notional = sum((f.price * f.quantity for f in result.fills), Decimal(0))
        quantum = Decimal(1).scaleb(-self._book_decimals())
        price = (notional / filled).quantize(quantum)
        market = False
        if self._signals is not None:
            market = self._signals.answered(number, price=price, quantity=filled)
        side = request.side.value
        if filled < request.quantity and not request.reduce_only:
            self._notice(
                f"entry #{number} {side} partly filled: {filled} of {request.quantity} "
                f"at {price} (the rest was not filled)"
            )
        elif market:
            self._notice(f"close #{number} {side} filled: {filled} at {price}")

    def _book_decimals(self) -> int:
        return self._positions.instrument.price_decimals

    def _book_fills(self, fills: Iterable[Fill], decision_mid: float) -> Awaitable[None] | None:
        """Apply fills to the ledger and hand them to the journal; returns the commit to await."""
        booked: list[BookedFill] = []
        mid = Decimal(repr(decision_mid)) if decision_mid > 0 else None
        ledger = self._positions.ledger
        for fill in fills:
            self.booked_fill_ids.add(fill.fill_id)
            round_trip = ledger.apply(fill)
            if round_trip is not None:
                self._counters.round_trips += 1
                self._risk.record_realized(round_trip.net_pnl, round_trip.closed_wall_ns)
            booked.append(
                BookedFill(
                    fill=fill,
                    position=ledger.position,
                    realized_pnl=ledger.realized_pnl,
                    fees_paid=ledger.fees_paid,
                    round_trip=round_trip,
                    decision_mid=mid,
                )
            )
            self._observers.on_fill(fill)
            if round_trip is not None:
                self._observers.on_round_trip(round_trip)
        if booked:
            self._counters.trades_executed += 1
        self._positions.changed()
        return self._recording.fills(booked) if booked else None


async def _after(pending: Awaitable[None], result: OrderResult) -> OrderResult:
    await pending
    return result
