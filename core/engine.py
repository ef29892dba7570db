"""The engine: book events in, decisions out, on one asyncio loop.

Per book update (the hot path): apply to the book, and for the traded product recompute the
imbalance, ask the strategy, and — only when the strategy wants something — vet it with the risk
manager and route it. Latency is measured from the adapter's ``recv_ns`` to the decision being
complete, for every update that reached the strategy.

While an order or the commit of its fills is in flight, book updates are still applied but no new
decision is taken (they are counted as skipped): the ledger the next decision sees is always the
one the venue and the store agree on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from core.book import APPLIED, CROSSED, DUPLICATE, GAP, ApplyOutcome, OrderBook
from core.clock import Clock
from core.engine_state import BookView, EngineState, FeedCounters, KillSwitchStatus
from core.enums import BookState, Mode, OrderStatus, Side, SignalAction
from core.events import (
    BookDelta,
    BookSnapshot,
    FeedEvent,
    FeedEventKind,
    Fill,
    Signal,
    SignalOutcome,
)
from core.fills import PaperFills
from core.freshness import AlarmKind, BookWatch, FreshnessPolicy
from core.instrument import Instrument
from core.kill_switch import KillSwitch
from core.latency import DECISION_TO_ORDER, ORDER_TO_ACK, TICK_TO_DECISION, LatencyHistogram
from core.ledger import BookedFill, Ledger, Position
from core.observer import EngineObserver
from core.ports import (
    ExecutionVenue,
    Journal,
    MarketFeed,
    OrderRequest,
    OrderResult,
    VenuePosition,
)
from core.risk import RiskLimits, RiskManager
from core.router import OrderIdFactory, OrderRouter, new_client_order_id
from core.signal import imbalance_ratio
from core.strategy import Decision, ImbalanceStrategy, OpenPosition, StrategyParams
from core.trading_state import Restriction, TradingGate, TradingState, TradingStatus

log = logging.getLogger(__name__)

RECENT_SIGNALS = 200
UNFILLED = (OrderStatus.REJECTED, OrderStatus.NOT_FILLED, OrderStatus.UNKNOWN)
_LIVE = BookState.LIVE  # enum member lookups cost ~100 ns: the hot path uses module constants
_NO_LAG_LIMIT = 1 << 64  # more than any recv_ns - venue_ts_ns: the lag rule never trips


@dataclass(frozen=True, slots=True)
class EngineConfig:
    venue_name: str
    instrument: Instrument
    mode: Mode
    strategy: StrategyParams
    risk: RiskLimits
    trade_notional_usd: Decimal
    taker_fee_rate: Decimal
    imbalance_depth: int = 10
    stale_after_s: float = 10.0
    long_only: bool = False
    other_products: tuple[str, ...] = ()  # books kept (e.g. for a recording) but not traded
    freshness: FreshnessPolicy = field(default_factory=FreshnessPolicy)
    kill_switch_backoff_s: float = 0.25  # first pause between flatten tries (doubles, max 4 s)
    mode_locked: str = ""  # why the mode may not change (a recorded session has one mode), or ""


class ModeChangeRefused(Exception):
    """The mode cannot change now; the message says why in one line."""


class Engine:
    """A ``core.ports.FeedSink`` owning books, strategy, risk, ledger, router and kill switch."""

    def __init__(
        self,
        config: EngineConfig,
        *,
        feed: MarketFeed,
        clock: Clock,
        venue: ExecutionVenue | None = None,
        journal: Journal | None = None,
        observers: Iterable[EngineObserver] = (),
        order_ids: OrderIdFactory = new_client_order_id,
        first_signal_number: int = 1,
    ) -> None:
        self.config = config
        self._instrument = config.instrument
        self._symbol = config.instrument.symbol
        self._feed = feed
        self._clock = clock
        self._venue = venue
        self._journal = journal
        self._observers = list(observers)
        self._order_ids = order_ids
        self._mode = config.mode

        products = (self._symbol, *(p for p in config.other_products if p != self._symbol))
        self._books = {p: OrderBook(p, depth=config.imbalance_depth) for p in products}
        self._book = self._books[self._symbol]
        self._strategy = ImbalanceStrategy(config.strategy)
        self._quiet_low, self._quiet_high = self._strategy.quiet_band
        self._risk = RiskManager(config.risk, config.instrument, long_only=config.long_only)
        self._trading = TradingGate()
        self._ledger = Ledger(config.instrument)
        self._router = OrderRouter(
            instrument=config.instrument,
            paper=PaperFills(taker_fee_rate=config.taker_fee_rate),
            venue=venue,
            taker_fee_rate=config.taker_fee_rate,
            clock=clock,
        )
        self._kill_switch = KillSwitch(
            self, self._trading, first_backoff_s=config.kill_switch_backoff_s
        )
        self._latency = LatencyHistogram()
        self._watch = BookWatch(config.freshness, stale_after_s=config.stale_after_s)
        self._max_lag_ns = config.freshness.max_lag_ns  # 0: the lag rule is off
        self._wall_offset_ns = 0
        self._lag_allowance_ns = _NO_LAG_LIMIT
        self._set_wall_offset(clock.wall_ns() - clock.mono_ns())  # refreshed by the watchdog
        self._connected = False
        self._record_tick_latency = self._latency.record
        self._mono_ns = clock.mono_ns
        self._wall_ns = clock.wall_ns

        self._open_position: OpenPosition | None = None
        self._busy = False  # an order or a fill commit is in flight: no new decision
        self._idle = asyncio.Event()
        self._idle.set()
        self._standing_by = False  # busy, or trading HALTED: no decision at all
        self._trading.subscribe(self._trading_changed)
        self._ratio = 1.0
        self._next_signal = first_signal_number
        self._signals: deque[Signal] = deque(maxlen=RECENT_SIGNALS)
        self._signals_total = 0
        self._outcomes: Counter[SignalOutcome] = Counter()
        self._blocked_reasons: Counter[str] = Counter()
        self._trades_executed = 0
        self._round_trips = 0
        self._counters = Counter[str]()  # rare events; per-update counts are plain ints
        self._updates = 0
        self._last_heartbeat_ns = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._notices: deque[str] = deque(maxlen=20)
        self.started_wall_ns = clock.wall_ns()

    # ------------------------------------------------------------------ feed sink (hot path)
    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        book = self._books.get(snapshot.product)
        if book is None:
            self._counters["unknown_product"] += 1
            return
        self._updates += 1
        self._counters["snapshots"] += 1
        before = book.state
        outcome = book.apply_snapshot(snapshot)
        if outcome is ApplyOutcome.APPLIED:
            venue_ts = snapshot.venue_ts_ns
            if venue_ts and snapshot.recv_ns - venue_ts > self._lag_allowance_ns:
                self._lagging(book, before, snapshot.recv_ns, venue_ts)
                return
            self._notify_state(book, before, "snapshot loaded")
            for observer in self._observers:
                observer.on_snapshot_loaded(book.product, book.bid_count, book.ask_count)
            if book is self._book:
                self._evaluate(snapshot.recv_ns)
        else:
            self._book_broken(book, before, outcome)

    def on_delta(self, delta: BookDelta) -> None:
        try:  # cheaper than ``dict.get`` when, as nearly always, the product is known
            book = self._books[delta.product]
        except KeyError:
            self._counters["unknown_product"] += 1
            return
        self._updates += 1
        before = book.state
        self._after_update(book, before, book.apply_delta(delta), delta.venue_ts_ns, delta.recv_ns)

    def on_level(  # noqa: PLR0917 - one level, positional: keywords cost ~10 ns each
        self,
        product: str,
        seq: int,
        bid: bool,
        price: float,
        size: float,
        venue_ts_ns: int,
        recv_ns: int,
    ) -> None:
        """``on_delta`` of a one-level delta (``core.ports.LevelSink``), never built: Kraken
        Futures' hot path."""
        try:
            book = self._books[product]
        except KeyError:
            self._counters["unknown_product"] += 1
            return
        self._updates += 1
        before = book.state
        outcome = book.apply_level(seq, bid, price, size, venue_ts_ns, recv_ns)
        self._after_update(book, before, outcome, venue_ts_ns, recv_ns)

    def _after_update(
        self,
        book: OrderBook,
        before: BookState,
        outcome: ApplyOutcome,
        venue_ts_ns: int,
        recv_ns: int,
    ) -> None:
        """What an update's outcome means: a decision on a fresh, applied update of the traded
        book; a lagging venue clock makes the book STALE; a broken one is resynced."""
        if outcome is APPLIED:
            if venue_ts_ns and recv_ns - venue_ts_ns > self._lag_allowance_ns:
                self._lagging(book, before, recv_ns, venue_ts_ns)
                return
            if before is not _LIVE:
                self._notify_state(book, before, "updates resumed")
            if book is self._book:
                self._evaluate(recv_ns)
        elif outcome is GAP or outcome is CROSSED:
            self._book_broken(book, before, outcome)
        elif outcome is DUPLICATE:
            self._counters["duplicates"] += 1

    def on_feed_event(self, event: FeedEvent) -> None:
        kind = event.kind
        if kind is FeedEventKind.HEARTBEAT:
            self._last_heartbeat_ns = event.recv_ns
        elif kind is FeedEventKind.DROPPED_FRAME:
            self._counters["dropped_frames"] += 1
        elif kind is FeedEventKind.CONNECTED:
            self._last_heartbeat_ns = event.recv_ns
            self._connected = True
            # Wall - monotonic, for the lag rule; a replay's clock follows the recording.
            self._set_wall_offset(self._clock.wall_ns() - self._clock.mono_ns())
        elif kind is FeedEventKind.DISCONNECTED:
            self._connected = False
            self._counters["reconnects"] += 1
            for book in self._books.values():
                before = book.state
                book.reset(f"disconnected: {event.detail}")
                self._notify_state(book, before, f"disconnected: {event.detail}")
        elif kind is FeedEventKind.VENUE_ERROR:
            self._notice(f"venue error: {event.detail}")

    def _set_wall_offset(self, offset_ns: int) -> None:
        """Wall - monotonic clock, for the lag rule: a frame lags when ``recv_ns + offset -
        venue_ts_ns > max_lag``, checked per frame as ``recv_ns - venue_ts_ns > allowance``."""
        self._wall_offset_ns = offset_ns
        limit = self._max_lag_ns
        self._lag_allowance_ns = limit - offset_ns if limit else _NO_LAG_LIMIT

    def _evaluate(self, recv_ns: int) -> None:
        if self._standing_by:
            self._counters["decisions_skipped"] += 1
            return
        book = self._book
        best_bid = book.best_bid
        best_ask = book.best_ask
        if best_bid is None or best_ask is None:
            return
        ratio = self._ratio = imbalance_ratio(book.bid_depth_sum, book.ask_depth_sum)
        position = self._open_position
        # Flat inside the strategy's quiet band (nearly every update) it decides nothing whatever
        # the spread or the time: skip asking, and the two clock reads asking would cost.
        if position is not None or not self._quiet_low < ratio < self._quiet_high:
            # Positional: five keywords would add ~50 ns to the call.
            decision = self._strategy.decide(ratio, best_bid, best_ask, position, self._wall_ns())
            if decision is not None:
                self._act(decision, book)
        self._record_tick_latency(self._mono_ns() - recv_ns)

    # ------------------------------------------------------------------ decisions
    def _act(self, decision: Decision, book: OrderBook) -> None:
        decided_ns = self._mono_ns()
        instrument = self._instrument
        price = instrument.price_to_decimal(decision.price)
        position = self._ledger.position
        if decision.action is SignalAction.CLOSE:
            quantity = abs(position.quantity)
            side = Side.SELL if position.quantity > 0 else Side.BUY
        else:
            quantity = instrument.quantity_for_notional(self.config.trade_notional_usd, price)
            side = Side.BUY if decision.action is SignalAction.BUY else Side.SELL
        verdict = self._risk.vet(
            decision.action,
            quantity,
            price,
            trading=self._trading.status,
            book_state=book.state,
            position_quantity=position.quantity,
            unrealized_pnl_usd=self._unrealized(),
            now_wall_ns=self._clock.wall_ns(),
        )
        if verdict.allowed:
            outcome, why = SignalOutcome.ACTED, ""
        elif verdict.ignored:
            outcome, why = SignalOutcome.IGNORED, verdict.reason
        else:
            outcome, why = SignalOutcome.BLOCKED, verdict.reason
        signal = self._emit_signal(decision, price, quantity, outcome, why)
        if outcome is SignalOutcome.ACTED:
            request = OrderRequest(
                client_order_id=self._order_ids(),
                product=self._symbol,
                side=side,
                quantity=quantity,
                reduce_only=decision.action is SignalAction.CLOSE,
            )
            self._route(request, signal, book.mid or decision.price, decided_ns)

    def _emit_signal(
        self,
        decision: Decision,
        price: Decimal,
        quantity: Decimal,
        outcome: SignalOutcome = SignalOutcome.ACTED,
        why: str = "",
    ) -> Signal:
        """Number, timestamp, record and announce a decision (the strategy's or the kill switch's)."""
        signal = Signal(
            number=self._next_signal,
            product=self._symbol,
            action=decision.action,
            price=price,
            quantity=quantity,
            ratio=decision.ratio,
            reason=decision.reason,
            wall_ns=self._clock.wall_ns(),
            outcome=outcome,
            block_reason=why,
        )
        self._next_signal += 1
        self._record_signal(signal)
        return signal

    def _record_signal(self, signal: Signal) -> None:
        self._signals_total += 1
        self._outcomes[signal.outcome] += 1
        if signal.outcome is SignalOutcome.BLOCKED:
            self._blocked_reasons[signal.block_reason] += 1
        self._signals.appendleft(signal)
        if self._journal is not None:
            try:
                self._journal.record_signal(signal)
            except Exception as exc:  # any recording failure stops trading
                self._recording_failed(exc)
        for observer in self._observers:
            observer.on_signal(signal)

    # ------------------------------------------------------------------ execution
    def _route(
        self, request: OrderRequest, signal: Signal, decision_mid: float, decided_ns: int
    ) -> None:
        if signal.action is not SignalAction.CLOSE:
            self._risk.record_entry(signal.wall_ns)
        self._record_order(request, None, signal.number)
        if self._mode is Mode.LIVE:
            self._set_busy(True)
            self._spawn(
                self._send_live(request, decision_mid, signal.number, decided_ns),
                f"order {request.client_order_id}",
            )
            return
        result, fills = self._router.simulate(
            self._book, request, decision_mid, decided_mono_ns=decided_ns
        )
        self._record_order(request, result, signal.number)
        pending = self._book_fills(fills, decision_mid)
        if pending is not None:
            self._set_busy(True)
            self._spawn(self._await_commit(pending), f"commit {request.client_order_id}")

    async def _send_live(
        self, request: OrderRequest, decision_mid: float, number: int, decided_ns: int
    ) -> None:
        try:
            result, fills = await self._router.send(
                request, decision_mid, decided_mono_ns=decided_ns
            )
            self._record_order(request, result, number)
            if result.status in UNFILLED:
                status = result.status.value
                self._notice(f"order {request.client_order_id} {status}: {result.reason}")
            if result.status is OrderStatus.UNKNOWN:
                # The venue may hold a position the ledger does not: stop and ask it.
                why = f"order {request.client_order_id}: no answer from the venue"
                self._spawn(self._unknown_order_flatten(why), "unknown-order flatten")
            pending = self._book_fills(fills, decision_mid)
            if pending is not None:
                await pending
        finally:
            self._set_busy(False)

    async def _unknown_order_flatten(self, reason: str) -> None:
        await self.wait_idle(30.0)
        await self._kill_switch.flatten(reason)

    async def _await_commit(self, pending: Awaitable[object]) -> None:
        try:
            await pending
        finally:
            self._set_busy(False)

    def _book_fills(self, fills: Iterable[Fill], decision_mid: float) -> Awaitable[object] | None:
        """Apply fills to the ledger and hand them to the journal; returns the commit to await."""
        booked: list[BookedFill] = []
        mid = Decimal(repr(decision_mid)) if decision_mid > 0 else None
        for fill in fills:
            round_trip = self._ledger.apply(fill)
            if round_trip is not None:
                self._round_trips += 1
                self._risk.record_realized(round_trip.net_pnl, round_trip.closed_wall_ns)
            booked.append(
                BookedFill(
                    fill=fill,
                    position=self._ledger.position,
                    realized_pnl=self._ledger.realized_pnl,
                    fees_paid=self._ledger.fees_paid,
                    round_trip=round_trip,
                    decision_mid=mid,
                )
            )
            for observer in self._observers:
                observer.on_fill(fill)
                if round_trip is not None:
                    observer.on_round_trip(round_trip)
        if booked:
            self._trades_executed += 1
        self._refresh_open_position()
        if not booked or self._journal is None:
            return None
        return self._commit_fills(self._journal, booked)

    async def _commit_fills(self, journal: Journal, booked: list[BookedFill]) -> None:
        try:
            await journal.record_fills(booked)
        except Exception as exc:  # any recording failure stops trading
            self._recording_failed(exc)

    def _record_order(
        self, request: OrderRequest, result: OrderResult | None, signal_number: int | None
    ) -> None:
        if self._journal is not None:
            try:
                self._journal.record_order(
                    request, result, wall_ns=self._clock.wall_ns(), signal_number=signal_number
                )
            except Exception as exc:  # any recording failure stops trading
                self._recording_failed(exc)
        for observer in self._observers:
            observer.on_order(request, result)

    def _recording_failed(self, exc: Exception) -> None:
        """Never trade unrecorded: stop entries and flatten, once, and say why."""
        if self._journal is None:
            return
        self._journal = None
        log.error("recording failed: %s", exc)
        self._notice(f"RECORDING FAILED ({exc}): trading stopped, flattening")
        self._spawn(self._flatten_after_failure(), "flatten after recording failure")

    async def _flatten_after_failure(self) -> None:
        await self.flatten_all("Recording failed: flatten")

    def restore(
        self,
        *,
        position: Position,
        realized_pnl: Decimal,
        fees_paid: Decimal,
        day: dt.date,
        trades_today: int,
        realized_today: Decimal,
        next_signal_number: int,
    ) -> None:
        """Continue a session: its position, P&L, today's risk tallies and signal numbering."""
        self._ledger.restore(position, realized_pnl=realized_pnl, fees_paid=fees_paid)
        self._risk.restore_day(day=day, trades=trades_today, realized_pnl_usd=realized_today)
        self._next_signal = next_signal_number
        self._refresh_open_position()

    def _refresh_open_position(self) -> None:
        position = self._ledger.position
        if position.quantity == 0:
            self._open_position = None
        else:
            self._open_position = OpenPosition(
                side=Side.BUY if position.quantity > 0 else Side.SELL,
                entry_price=float(position.entry_price),
                opened_wall_ns=position.opened_wall_ns,
            )

    def _unrealized(self) -> Decimal:
        mark = self.mark_price()
        return Decimal(0) if mark is None else self._ledger.unrealized_pnl(mark)

    def mark_price(self) -> Decimal | None:
        """Where the open position could close now: best bid for a long, best ask for a short."""
        quantity = self._ledger.position.quantity
        price = self._book.best_bid if quantity >= 0 else self._book.best_ask
        if price is None:
            price = self._book.mid
        return None if price is None else self._instrument.price_to_decimal(price)

    # ------------------------------------------------------------------ book health
    def _book_broken(self, book: OrderBook, before: BookState, outcome: ApplyOutcome) -> None:
        if outcome is ApplyOutcome.GAP:
            self._counters["gaps"] += 1
            reason = "sequence gap"
        else:
            self._counters["crossed"] += 1
            reason = "crossed book"
        self._counters["resyncs"] += 1
        self._notify_state(book, before, f"{reason}: resyncing {book.product}")
        self._feed.resync(book.product)

    def _notify_state(self, book: OrderBook, before: BookState, reason: str) -> None:
        if book.state is before:
            return
        log.info("book %s %s -> %s (%s)", book.product, before.value, book.state.value, reason)
        for observer in self._observers:
            observer.on_book_state(book.product, book.state, reason)

    def _lagging(self, book: OrderBook, before: BookState, recv_ns: int, venue_ts_ns: int) -> None:
        """A frame stamped too long ago by the venue: the book is STALE until one is on time."""
        book.mark_stale()
        if before is BookState.LIVE or book.state is not before:
            self._counters["stale_lag"] += 1
            lag_s = (recv_ns + self._wall_offset_ns - venue_ts_ns) / 1e9
            limit = self.config.freshness.max_lag_s
            self._notify_state(book, before, f"venue time lags by {lag_s:.1f}s (limit {limit:g}s)")

    def check_staleness(self) -> None:
        """The watchdog's round (see ``core.freshness``): silent books STALE, lost resyncs asked
        again, an open position on a book down too long flattened when the policy says so."""
        clock = self._clock
        now = clock.mono_ns()
        self._set_wall_offset(clock.wall_ns() - now)
        alarms = self._watch.review(
            self._books.values(),
            traded=self._symbol,
            now_ns=now,
            last_heartbeat_ns=self._last_heartbeat_ns,
            connected=self._connected,
            position_open=self._ledger.position.quantity != 0,
        )
        for alarm in alarms:
            book = self._books[alarm.product]
            if alarm.kind is AlarmKind.STALE:
                book.mark_stale()
                self._counters["stale_silence"] += 1
                self._notify_state(book, BookState.LIVE, alarm.reason)
            elif alarm.kind is AlarmKind.RESYNC_AGAIN:
                self._counters["resync_retries"] += 1
                self._notice(f"{alarm.product}: {alarm.reason}; asking again")
                self._feed.resync(alarm.product)
            elif not self._kill_switch.running:
                self._notice(alarm.reason)
                self._spawn(self._protective_flatten(alarm.reason), "not-live flatten")

    async def _protective_flatten(self, reason: str) -> None:
        await self._kill_switch.flatten(reason, hold=False, patient=True)

    async def watch_staleness(self, interval_s: float = 0.25) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self.check_staleness()

    # ------------------------------------------------------------------ commands
    @property
    def mode(self) -> Mode:
        return self._mode

    def check_mode_change(self, mode: Mode) -> None:
        """Raise ``ModeChangeRefused`` (one line) if the mode may not change to ``mode`` now."""
        if mode is self._mode:
            return
        if self.config.mode_locked:
            raise ModeChangeRefused(self.config.mode_locked)
        if self._ledger.position.quantity != 0:
            raise ModeChangeRefused(f"close the open position before switching to {mode.value}")
        if mode is Mode.LIVE and self._venue is None:
            raise ModeChangeRefused("live trading needs venue API keys")

    def set_mode(self, mode: Mode) -> None:
        self.check_mode_change(mode)
        self.force_mode(mode)

    def force_mode(self, mode: Mode) -> None:
        """Switch without the checks: only to undo a switch that could not complete."""
        if mode is not self._mode:
            self._mode = mode
            self._notice(f"mode is now {mode.value}")

    def pause(self) -> None:
        self._trading.restrict(Restriction.PAUSED)
        self._notice("paused: no new entries")

    def resume(self) -> None:
        self._trading.lift(Restriction.PAUSED)
        self._kill_switch.release()
        self._notice("resumed: entries allowed")

    @property
    def paused(self) -> bool:
        return self._trading.holds(Restriction.PAUSED)

    @property
    def trading(self) -> TradingStatus:
        """ACTIVE, REDUCING or HALTED, and why (``core.trading_state``)."""
        return self._trading.status

    async def flatten_all(
        self, reason: str = "Kill switch: flatten all", *, hold: bool = True
    ) -> KillSwitchStatus:
        """The kill switch. ``hold=False``: released again once flat (a protective close)."""
        return await self._kill_switch.flatten(reason, hold=hold)

    async def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Wait until no order or commit is in flight; False when it did not settle in time."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if busy:
            self._idle.clear()
        else:
            self._idle.set()
        self._trading_changed(self._trading.status)

    def _trading_changed(self, status: TradingStatus) -> None:
        self._standing_by = self._busy or status.state is TradingState.HALTED

    async def close(self) -> None:
        """Cancel the engine's own tasks (orders in flight are awaited briefly first)."""
        await self.wait_idle(5.0)
        await self._kill_switch.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("engine task %s failed", task.get_name(), exc_info=task.exception())
            self._notice(f"internal error in {task.get_name()}: {task.exception()}")

    def _notice(self, text: str) -> None:
        self._notices.append(text)
        log.info("%s", text)
        for observer in self._observers:
            observer.on_notice(text)

    # ------------------------------------------------------------------ used by the kill switch
    @property
    def ledger(self) -> Ledger:
        return self._ledger

    @property
    def book(self) -> OrderBook:
        return self._book

    @property
    def router(self) -> OrderRouter:
        return self._router

    @property
    def venue(self) -> ExecutionVenue | None:
        return self._venue

    @property
    def instrument(self) -> Instrument:
        return self._instrument

    def record_kill_switch_close(self, reason: str, quantity: Decimal) -> Signal:
        """The kill switch's own CLOSE, numbered and journaled like any other signal."""
        price = self.mark_price() or Decimal(0)
        decision = Decision(SignalAction.CLOSE, reason, self._ratio, float(price))
        return self._emit_signal(decision, price, quantity)

    def book_fills(self, fills: Iterable[Fill], decision_mid: float) -> Awaitable[object] | None:
        return self._book_fills(fills, decision_mid)

    def record_order(
        self, request: OrderRequest, result: OrderResult | None, signal_number: int | None = None
    ) -> None:
        self._record_order(request, result, signal_number)

    def notice(self, text: str) -> None:
        self._notice(text)

    def new_order_id(self) -> str:
        return self._order_ids()

    @property
    def busy(self) -> bool:
        return self._busy

    def halt_decisions(self, halted: bool) -> None:
        """Hold every decision (HALTED) while the caller checks something, e.g. the venue."""
        if halted:
            self._trading.restrict(Restriction.DECISIONS_HELD)
        else:
            self._trading.lift(Restriction.DECISIONS_HELD)

    def kill_switch_settled(self, status: KillSwitchStatus, reason: str) -> None:
        for observer in self._observers:
            observer.on_kill_switch(status, reason)

    def adopt_position(self, position: VenuePosition) -> None:
        """Make the ledger hold what the venue holds (start-up reconciliation, or a position
        the ledger missed). Realized P&L and fees so far are kept; the hold clock starts now."""
        ledger = self._ledger
        quantity = position.quantity
        ledger.restore(
            Position(
                product=self._symbol,
                quantity=quantity,
                entry_price=position.entry_price if quantity else Decimal(0),
                opened_wall_ns=self._clock.wall_ns() if quantity else 0,
                fees=Decimal(0),
            ),
            realized_pnl=ledger.realized_pnl,
            fees_paid=ledger.fees_paid,
        )
        self._refresh_open_position()

    def align_ledger_with_venue(self, position: VenuePosition | None) -> None:
        """Live: the venue is the truth. Adopt its position when the ledger disagrees."""
        held = self._ledger.position.quantity
        venue_quantity = Decimal(0) if position is None else position.quantity
        if held == venue_quantity:
            return
        self._counters["ledger_corrections"] += 1
        self._notice(
            f"ledger said {held} {self._symbol}, the venue says {venue_quantity}: "
            "following the venue"
        )
        self.adopt_position(position or VenuePosition(self._symbol, Decimal(0), Decimal(0)))

    # ------------------------------------------------------------------ state for display
    @property
    def latency(self) -> LatencyHistogram:
        """Tick -> decision: the adapter's ``recv_ns`` to the decision being complete."""
        return self._latency

    @property
    def latency_histograms(self) -> dict[str, LatencyHistogram]:
        """The live histograms by name (``core.latency``: tick_to_decision, decision_to_order,
        order_to_ack); the store copies them with ``record_latency``."""
        return {
            TICK_TO_DECISION: self._latency,
            DECISION_TO_ORDER: self._router.decision_to_order,
            ORDER_TO_ACK: self._router.order_to_ack,
        }

    def state(self, *, depth: int = 10) -> EngineState:
        book = self._book
        bids, asks = book.top(depth)
        mark = self.mark_price() if self._ledger.position.quantity != 0 else None
        counters = self._counters
        breakdown = {
            name: histogram.snapshot() for name, histogram in self.latency_histograms.items()
        }
        return EngineState(
            venue=self.config.venue_name,
            symbol=self._symbol,
            mode=self._mode,
            paused=self.paused,
            kill_switch=self._kill_switch.status,
            book=BookView(
                product=book.product,
                state=book.state,
                seq=book.seq,
                best_bid=book.best_bid,
                best_ask=book.best_ask,
                mid=book.mid,
                spread_bps=book.spread_bps,
                ratio=self._ratio,
                bids=tuple(bids),
                asks=tuple(asks),
                bid_count=book.bid_count,
                ask_count=book.ask_count,
            ),
            position=self._ledger.position,
            mark_price=mark,
            unrealized_pnl=self._ledger.unrealized_pnl(mark) if mark is not None else Decimal(0),
            realized_pnl=self._ledger.realized_pnl,
            fees_paid=self._ledger.fees_paid,
            signals_total=self._signals_total,
            trades_executed=self._trades_executed,
            round_trips=self._round_trips,
            blocked_total=self._outcomes[SignalOutcome.BLOCKED],
            ignored_total=self._outcomes[SignalOutcome.IGNORED],
            blocked_by_reason=dict(self._blocked_reasons),
            recent_signals=tuple(self._signals),
            latency=breakdown[TICK_TO_DECISION].summary(),
            latency_breakdown=breakdown,
            counters=FeedCounters(
                frames=self._updates,
                snapshots=counters["snapshots"],
                resyncs=counters["resyncs"],
                gaps=counters["gaps"],
                crossed=counters["crossed"],
                duplicates=counters["duplicates"],
                dropped_frames=counters["dropped_frames"],
                reconnects=counters["reconnects"],
                unknown_product=counters["unknown_product"],
                decisions_skipped=counters["decisions_skipped"],
                stale_silence=counters["stale_silence"],
                stale_lag=counters["stale_lag"],
                resync_retries=counters["resync_retries"],
                ledger_corrections=counters["ledger_corrections"],
            ),
            wall_ns=self._clock.wall_ns(),
            started_wall_ns=self.started_wall_ns,
            notices=tuple(self._notices),
        )
