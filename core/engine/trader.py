"""The trader: on each fresh update of the traded book, the imbalance, the strategy's decision,
the risk manager's verdict, a numbered signal and, when allowed, the order.

``on_book_update`` is the hot path. Latency is measured from the adapter's ``recv_ns`` to the
decision being complete, for every update that reached the strategy.

While one of its orders or the commit of its fills is in flight (*busy*), or while trading is
HALTED, book updates are still applied but no decision is taken (each is counted as skipped): the
ledger the next decision sees is always the one the venue and the store agree on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

from core.book import OrderBook
from core.clock import Clock
from core.engine.counters import EngineCounters
from core.engine.execution import Execution
from core.engine.positions import Positions
from core.engine.refusals import RefusalPolicy
from core.engine.signals import SignalLog
from core.engine.tasks import EngineTasks
from core.engine.uncertain import UncertainOrders
from core.enums import OrderStatus, Side, SignalAction
from core.events import Signal, SignalOutcome
from core.instrument import Instrument
from core.latency import LatencyHistogram
from core.ports import OrderRequest, OrderResult
from core.risk import RiskManager
from core.signal import imbalance_ratio
from core.signals import DEFAULT_SIGNAL, make_signal
from core.strategy import Decision, ImbalanceStrategy, OpenPosition, StrategyParams
from core.trading_state import TradingGate, TradingState, TradingStatus

UNFILLED = (OrderStatus.REJECTED, OrderStatus.NOT_FILLED, OrderStatus.UNKNOWN)


class Trader:
    def __init__(
        self,
        *,
        params: StrategyParams,
        trade_notional_usd: Decimal,
        instrument: Instrument,
        book: OrderBook,
        clock: Clock,
        risk: RiskManager,
        trading: TradingGate,
        positions: Positions,
        signals: SignalLog,
        execution: Execution,
        counters: EngineCounters,
        tasks: EngineTasks,
        notice: Callable[[str], None],
        refusals: RefusalPolicy,
        uncertain: UncertainOrders,
    ) -> None:
        self._strategy = ImbalanceStrategy(params)
        self._quiet_low, self._quiet_high = self._strategy.quiet_band
        self._notional = trade_notional_usd
        self._instrument = instrument
        self._symbol = instrument.symbol
        self._book = book
        self._clock = clock
        self._risk = risk
        self._trading = trading
        self._positions = positions
        self._signals = signals
        self._execution = execution
        self._counters = counters
        self._tasks = tasks
        self._notice = notice
        self._refusals = refusals
        self._uncertain = uncertain
        self.latency = LatencyHistogram()
        """Tick -> decision: the adapter's ``recv_ns`` to the decision being complete."""
        self._record_tick_latency = self.latency.record
        self._mono_ns = clock.mono_ns
        self._wall_ns = clock.wall_ns
        self.ratio = 1.0 if params.signal_info.multiplicative else 0.0
        """The active signal's latest value (the guide's ratio by default)."""
        self.signal_info = params.signal_info
        self._signal_reset: Callable[[], None] | None = None
        if params.signal != DEFAULT_SIGNAL:
            # Another signal keeps its own state; the guide's ratio stays the lean path below.
            signal = make_signal(params.signal)
            self._signal_update = signal.update
            self._signal_reset = signal.reset
            self.on_book_update = self._on_book_update_signal  # type: ignore[method-assign]
        self._open_position: OpenPosition | None = None
        self._busy = False  # an order or a fill commit is in flight: no new decision
        self._idle = asyncio.Event()
        self._idle.set()
        self._halted = False
        self._standing_by = False  # busy or HALTED: one flag for the hot path to read
        trading.subscribe(self._trading_changed)
        positions.subscribe(self._position_changed)

    # ------------------------------------------------------------------ the hot path
    def on_book_update(self, recv_ns: int) -> None:
        """A fresh update was applied to the traded book."""
        if self._standing_by:
            self._counters.decisions_skipped += 1
            return
        book = self._book
        best_bid = book.best_bid
        best_ask = book.best_ask
        if best_bid is None or best_ask is None:
            return
        ratio = self.ratio = imbalance_ratio(book.bid_depth_sum, book.ask_depth_sum)
        position = self._open_position
        # Flat inside the strategy's quiet band (nearly every update) it decides nothing whatever
        # the spread or the time: skip asking, and the two clock reads asking would cost.
        if position is not None or not self._quiet_low < ratio < self._quiet_high:
            # Positional: five keywords would add ~50 ns to the call.
            decision = self._strategy.decide(ratio, best_bid, best_ask, position, self._wall_ns())
            if decision is not None:
                self._act(decision, book)
        self._record_tick_latency(self._mono_ns() - recv_ns)

    def snapshot_loaded(self) -> None:
        """The traded book was (re)loaded: a signal's flow before it is not comparable."""
        if self._signal_reset is not None:
            self._signal_reset()

    def _on_book_update_signal(self, recv_ns: int) -> None:
        """``on_book_update`` for a signal other than the ratio: the same, fed by its value.

        The signal sees every update of a two-sided book, standing by or not: a flow signal's
        window follows the book, not this engine's orders (so a sweep can compute it once for
        many engines, ``decide_on``)."""
        book = self._book
        best_bid = book.best_bid
        best_ask = book.best_ask
        if best_bid is None or best_ask is None:
            return
        ratio = self._signal_update(book)
        if self._standing_by:
            self._counters.decisions_skipped += 1
            return
        self.ratio = ratio
        position = self._open_position
        if position is not None or not self._quiet_low < ratio < self._quiet_high:
            decision = self._strategy.decide(ratio, best_bid, best_ask, position, self._wall_ns())
            if decision is not None:
                self._act(decision, book)
        self._record_tick_latency(self._mono_ns() - recv_ns)

    def decide_on(self, value: float, best_bid: float, best_ask: float, now_wall_ns: int) -> int:
        """The strategy asked with the active signal's value computed by someone else: a sweep's
        shared pass computes each signal once for every engine following its book, and asks an
        engine only where ``on_book_update`` would ask (outside the quiet band, or in a
        position). The touch and the wall clock are the current ones, passed in. Returns the
        strategy's ``cooldown_until_ns`` (flat, nothing is decided before it)."""
        strategy = self._strategy
        if self._standing_by:
            self._counters.decisions_skipped += 1
            return strategy.cooldown_until_ns
        self.ratio = value
        decision = strategy.decide(value, best_bid, best_ask, self._open_position, now_wall_ns)
        if decision is not None:
            self._act(decision, self._book)
        return strategy.cooldown_until_ns

    def note_value(self, value: float) -> None:
        """The signal's latest value, for an engine a shared pass did not ask on each update (its
        ``ratio`` is what a kill switch's CLOSE records and the console shows)."""
        if not self._standing_by:
            self.ratio = value

    # ------------------------------------------------------------------ decisions
    def _act(self, decision: Decision, book: OrderBook) -> None:
        decided_ns = self._mono_ns()
        instrument = self._instrument
        price = instrument.price_to_decimal(decision.price)
        position = self._positions.position
        if decision.action is SignalAction.CLOSE:
            quantity = abs(position.quantity)
            side = Side.SELL if position.quantity > 0 else Side.BUY
        else:
            quantity = instrument.quantity_for_notional(self._notional, price)
            side = Side.BUY if decision.action is SignalAction.BUY else Side.SELL
        verdict = self._risk.vet(
            decision.action,
            quantity,
            price,
            trading=self._trading.status,
            book_state=book.state,
            position_quantity=position.quantity,
            unrealized_pnl_usd=self._positions.unrealized(),
            now_wall_ns=self._wall_ns(),
        )
        if verdict.allowed:
            outcome = SignalOutcome.ACTED
        elif verdict.ignored:
            outcome = SignalOutcome.IGNORED
        else:
            outcome = SignalOutcome.BLOCKED
        signal = self._signals.emit(decision, price, quantity, outcome, verdict.reason)
        if outcome is not SignalOutcome.ACTED:
            return
        request = OrderRequest(
            client_order_id=self._execution.new_order_id(),
            product=self._symbol,
            side=side,
            quantity=quantity,
            reduce_only=decision.action is SignalAction.CLOSE,
        )
        if decision.action is not SignalAction.CLOSE:
            self._risk.record_entry(signal.wall_ns)
        self._submit(request, signal.number, book.mid or decision.price, decided_ns)

    def _submit(
        self, request: OrderRequest, number: int, decision_mid: float, decided_ns: int
    ) -> None:
        live = self._execution.live
        pending = self._execution.submit(request, number, decision_mid, decided_ns)
        if pending is None:
            return
        self._set_busy(True)
        what = "order" if live else "commit"
        work = self._settle(request, pending, live, number, decision_mid)
        self._tasks.spawn(work, f"{what} {request.client_order_id}")

    async def _settle(
        self,
        request: OrderRequest,
        pending: Awaitable[OrderResult],
        live: bool,
        number: int,
        decision_mid: float,
    ) -> None:
        try:
            result = await pending
            if live:
                self._venue_answered(request, result, number, decision_mid)
        finally:
            self._set_busy(False)

    def _venue_answered(
        self, request: OrderRequest, result: OrderResult, number: int, decision_mid: float
    ) -> None:
        """Act on the venue's answer before the next decision: a refusal by its class
        (``core.engine.refusals``), an uncertain outcome by asking on (``core.engine.uncertain``)."""
        if result.status is OrderStatus.REJECTED:
            self._refusals.refused(request, result)
            return
        if result.status in UNFILLED:
            self._notice(f"order {request.client_order_id} {result.status.value}: {result.reason}")
        if result.status is OrderStatus.UNKNOWN:
            self._uncertain.add(request, number, decision_mid)
        else:
            self._refusals.accepted()

    def record_close(self, reason: str, quantity: Decimal) -> Signal:
        """The kill switch's own CLOSE, numbered and journaled like any other signal. It closes
        at market: its price is 0 ("market") until its fill says what it was."""
        decision = Decision(SignalAction.CLOSE, reason, self.ratio, 0.0)
        return self._signals.emit(decision, Decimal(0), quantity)

    # ------------------------------------------------------------------ standing by
    @property
    def busy(self) -> bool:
        return self._busy

    async def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Wait until no order or commit is in flight; False when it did not settle in time."""
        try:
            async with asyncio.timeout(timeout_s):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if busy:
            self._idle.clear()
        else:
            self._idle.set()
        self._standing_by = busy or self._halted

    def _trading_changed(self, status: TradingStatus) -> None:
        self._halted = status.state is TradingState.HALTED
        self._standing_by = self._busy or self._halted

    def _position_changed(self, position: OpenPosition | None) -> None:
        self._open_position = position
