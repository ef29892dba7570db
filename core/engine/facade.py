"""The engine: book events in, decisions out, on one asyncio loop — a thin façade over its parts.

It builds the parts, wires them, and answers the console's commands. The parts, each in its own
module of this package:

* ``market_data`` — the feed's sink: books, the lag rule, freshness (the hot path starts here);
* ``trader`` — the decision on each fresh update, and the signals it numbers and journals;
* ``execution`` — the one submit path for paper and live, fill booking and commit;
* ``kill_switch`` and ``reconcile`` — flatten and start-up checks, on small ``protocols``;
* ``refusals`` (the venue's refusals, acted on by class), ``uncertain`` (orders whose outcome
  is not known yet), ``live_check`` (reconciliation during the run) and ``budgeted_venue``
  (every venue call paid from the order-rate budget, ``core.rate_budget``);
* ``positions``, ``mode``, ``recording`` (the policy when recording fails), ``signals``,
  ``notices``, ``tasks``, ``counters`` and ``display`` (the ``EngineState`` snapshot).

Whether an order may go out has one answer, the trading state (``core.trading_state``); every
risk rule is in ``core.risk``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from core.book import OrderBook
from core.clock import Clock
from core.engine.budgeted_venue import BudgetedVenue
from core.engine.config import EngineConfig
from core.engine.counters import EngineCounters
from core.engine.display import EngineView
from core.engine.execution import Execution
from core.engine.kill_switch import KillSwitch
from core.engine.live_check import LiveReconciler
from core.engine.market_data import MarketData
from core.engine.mode import ModeSwitch
from core.engine.notices import NoticeBoard
from core.engine.positions import Positions
from core.engine.reconcile import Reconciliation, StartPositionAction, reconcile_at_start
from core.engine.recording import Recording
from core.engine.refusals import RefusalPolicy
from core.engine.settle import InFlightOrder, SettleError, Settlement, settle_in_flight
from core.engine.signals import SignalLog
from core.engine.tasks import EngineTasks
from core.engine.trader import Trader
from core.engine.uncertain import UncertainOrders
from core.engine_state import EngineState, KillSwitchStatus
from core.enums import Mode
from core.events import BookDelta, BookSnapshot, FeedEvent
from core.fills import PaperFills
from core.instrument import Instrument
from core.latency import LatencyHistogram
from core.ledger import Ledger, Position
from core.maintenance import MaintenanceGuard, MaintenanceStatus
from core.observer import EngineObserver, ObserverFanout
from core.ports import ExecutionVenue, Journal, MarketFeed, OrderResult
from core.rate_budget import RateBudget
from core.risk import RiskManager
from core.router import OrderIdFactory, OrderRouter, new_client_order_id
from core.trading_state import Restriction, TradingGate, TradingStatus


class Engine:
    """A ``core.ports.LevelSink`` owning books, strategy, risk, ledger, router and kill switch."""

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
        books: Mapping[str, OrderBook] | None = None,
    ) -> None:
        """``books`` (the instrument's and ``other_products``'): books another ``MarketData``
        feeds, for an engine that follows a shared market (a sweep's shared pass) and is driven
        through ``decide_on`` and ``review_position`` instead of its own sink."""
        self.config = config
        self._venue = venue
        instrument = config.instrument
        symbol = instrument.symbol
        # An observer detached after an error is announced as a notice (to the others).
        fanout = ObserverFanout(observers, on_detached=lambda line: notices.post(line))  # noqa: PLW0108 - notices is made next: bound late
        self._notices = notices = NoticeBoard(fanout)
        notice = notices.post
        self._tasks = tasks = EngineTasks(notice)
        counters = EngineCounters()
        self._trading = trading = TradingGate()
        self._maintenance = MaintenanceGuard(trading, notice, clock)
        products = (symbol, *(p for p in config.other_products if p != symbol))
        if books is None:
            books = {p: OrderBook(p, depth=config.imbalance_depth) for p in products}
        book = books[symbol]
        self._risk = risk = RiskManager(config.risk, instrument, long_only=config.long_only)
        self._positions = positions = Positions(
            instrument=instrument, book=book, clock=clock, counters=counters, notice=notice
        )
        self._mode = mode = ModeSwitch(
            config.mode,
            locked=config.mode_locked,
            positions=positions,
            can_trade_live=venue is not None,
            notice=notice,
        )
        # Every call to the venue is paid from the order-rate budget (the kill switch may
        # spend its reserve); a venue without stated limits is called as it is.
        limits = tuple(getattr(venue, "rate_limits", ()))
        self.rate_budget = RateBudget(limits, clock) if venue is not None and limits else None
        ordinary: ExecutionVenue | None = venue
        urgent: ExecutionVenue | None = venue
        if venue is not None and self.rate_budget is not None:
            ordinary = budgeted = BudgetedVenue(venue, self.rate_budget)
            urgent = budgeted.urgent()
        router = OrderRouter(
            instrument=instrument,
            paper=PaperFills(taker_fee_rate=config.taker_fee_rate),
            venue=ordinary,
            urgent_venue=urgent,
            taker_fee_rate=config.taker_fee_rate,
            clock=clock,
            status_deadline_s=config.order_status_patience_s,
        )
        self._store_listeners: list[Callable[[str], None]] = []
        self._recording = recording = Recording(journal, on_failure=self._recording_failed)
        self._signals = signals = SignalLog(
            symbol=symbol,
            clock=clock,
            recording=recording,
            observers=fanout,
            first_number=first_signal_number,
        )
        self._execution = execution = Execution(
            book=book,
            router=router,
            mode=mode,
            trading=trading,
            positions=positions,
            risk=risk,
            recording=recording,
            counters=counters,
            observers=fanout,
            clock=clock,
            notice=notice,
            order_ids=order_ids,
            signals=signals,
        )
        self._refusals = RefusalPolicy(
            reconcile=lambda why: self._live_check.check(why),  # noqa: PLW0108 - made below: bound late
            trading=trading,
            tasks=tasks,
            notice=notice,
        )
        self._uncertain = UncertainOrders(
            venue=ordinary,
            execution=execution,
            trading=trading,
            tasks=tasks,
            clock=clock,
            notice=notice,
            reconcile=self._reconciled,
        )
        self._trader = trader = Trader(
            params=config.strategy,
            trade_notional_usd=config.trade_notional_usd,
            instrument=instrument,
            book=book,
            clock=clock,
            risk=risk,
            trading=trading,
            positions=positions,
            signals=signals,
            execution=execution,
            counters=counters,
            tasks=tasks,
            notice=notice,
            refusals=self._refusals,
            uncertain=self._uncertain,
        )
        self._kill_switch = kill_switch = KillSwitch(
            orders=execution,
            trader=trader,
            positions=positions,
            trading=trading,
            book=book,
            venue=urgent,
            notice=notice,
            observers=fanout,
            unsettled=lambda: self._uncertain.pending,
            first_backoff_s=config.kill_switch_backoff_s,
        )
        self._live_check = LiveReconciler(
            venue=ordinary,
            positions=positions,
            trading=trading,
            counters=counters,
            notice=notice,
            quiet=lambda: (
                execution.live
                and not trader.busy
                and not self._uncertain.pending
                and not kill_switch.running
            ),
            execution=execution,
            since_wall_ns=clock.wall_ns(),
        )
        self._market = market = MarketData(
            books,
            traded=symbol,
            feed=feed,
            clock=clock,
            freshness=config.freshness,
            stale_after_s=config.stale_after_s,
            counters=counters,
            observers=fanout,
            notice=notice,
            decide=trader.on_book_update,
            position_open=lambda: positions.position.quantity != 0,
            down_too_long=self._down_too_long,
            snapshot_loaded=trader.snapshot_loaded,
        )
        # The feed calls the market data part itself: no hop through the façade per frame.
        self.on_snapshot: Callable[[BookSnapshot], None] = market.on_snapshot
        self.on_delta: Callable[[BookDelta], None] = market.on_delta
        self.on_level = market.on_level
        self.on_feed_event: Callable[[FeedEvent], None] = market.on_feed_event
        self.check_staleness: Callable[[], None] = market.check_staleness
        # A follower of a shared market (``books`` given): the value of its signal, computed once
        # for all followers, and the watchdog's round for its own position.
        self.decide_on: Callable[[float, float, float, int], int] = trader.decide_on
        self.note_value: Callable[[float], None] = trader.note_value
        self.review_position: Callable[[], None] = market.review_position
        self.watch_position = positions.subscribe
        self.started_wall_ns = clock.wall_ns()
        self._view = EngineView(
            venue_name=config.venue_name,
            started_wall_ns=self.started_wall_ns,
            clock=clock,
            market=market,
            trader=trader,
            signals=signals,
            positions=positions,
            router=router,
            mode=mode,
            trading=trading,
            kill_switch=lambda: kill_switch.status,
            counters=counters,
            notices=notices,
            observers=fanout,
        )

    async def _reconciled(self, why: str) -> None:
        await self._live_check.check(why)

    # ------------------------------------------------------------------ the watchdog
    def _down_too_long(self, reason: str) -> None:
        """The traded book was not LIVE for too long with a position open: close it."""
        if not self._kill_switch.running:
            self.notice(reason)
            self._tasks.spawn(
                self._kill_switch.flatten(reason, hold=False, patient=True), "not-live flatten"
            )

    async def watch_staleness(self, interval_s: float = 0.25) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self.check_staleness()

    # ------------------------------------------------------------------ the journal failing
    def _recording_failed(self, reason: str) -> None:
        """Entries stop at once; whoever listens (the session) stops the run, which handles
        the position per POSITION_ON_EXIT. Nobody listening: flatten and hold, here."""
        self._trading.restrict(Restriction.STORE_FAILED)
        if self._store_listeners:
            self.notice(f"STORE FAILED ({reason}): entries halted, stopping the run")
            for listener in self._store_listeners:
                listener(reason)
            return
        self.notice(f"STORE FAILED ({reason}): entries halted, flattening")
        self._tasks.spawn(self.flatten_all("Store failed: flatten"), "flatten after store failure")

    def on_store_failure(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(reason)`` once when recording fails (instead of flattening here)."""
        self._store_listeners.append(listener)

    def store_failed(self, error: Exception) -> None:
        """The journal says it can no longer record (its writer stopped): as a failed record."""
        self._recording.failed(error)

    @property
    def store_failure(self) -> str:
        """Why recording stopped, "" while it works."""
        return self._recording.failure

    # ------------------------------------------------------------------ commands
    @property
    def mode(self) -> Mode:
        return self._mode.current

    def check_mode_change(self, mode: Mode) -> None:
        """Raise ``ModeChangeRefused`` (one line) if the mode may not change to ``mode`` now."""
        self._mode.check(mode)

    def set_mode(self, mode: Mode) -> None:
        self._mode.set(mode)

    def force_mode(self, mode: Mode) -> None:
        """Switch without the checks: only to undo a switch that could not complete."""
        self._mode.force(mode)

    def pause(self) -> None:
        self._trading.restrict(Restriction.PAUSED)
        self.notice("paused: no new entries")

    def resume(self) -> None:
        self._trading.lift(Restriction.PAUSED)
        self._refusals.release_fatal()
        self._kill_switch.release()
        self.notice("resumed: entries allowed")

    @property
    def paused(self) -> bool:
        return self._trading.holds(Restriction.PAUSED)

    @property
    def trading(self) -> TradingStatus:
        """ACTIVE, REDUCING or HALTED, and why (``core.trading_state``)."""
        return self._trading.status

    def follow_maintenance(self, status: MaintenanceStatus, lead_s: float) -> bool:
        """The venue's maintenance status (``core.maintenance``): entries stop ``lead_s`` ahead
        of a window and resume after it. True while they are stopped for it."""
        return self._maintenance.apply(status, lead_s)

    def halt_decisions(self, halted: bool) -> None:
        """Hold every decision (HALTED) while the caller checks something, e.g. the venue."""
        if halted:
            self._trading.restrict(Restriction.DECISIONS_HELD)
        else:
            self._trading.lift(Restriction.DECISIONS_HELD)

    async def flatten_all(
        self, reason: str = "Kill switch: flatten all", *, hold: bool = True
    ) -> KillSwitchStatus:
        """The kill switch. ``hold=False``: released again once flat (a protective close)."""
        return await self._kill_switch.flatten(reason, hold=hold)

    async def reconcile_periodically(self, interval_s: float) -> None:
        """Live: compare the ledger with the venue every ``interval_s`` (``core.engine.live_check``)
        until cancelled."""
        await self._live_check.run(interval_s)

    async def reconcile_now(self, why: str = "asked") -> None:
        await self._live_check.check(why)

    @property
    def uncertain_orders(self) -> tuple[str, ...]:
        """Client ids of orders whose outcome the venue has not told yet."""
        return self._uncertain.pending

    @property
    def live_checks(self) -> LiveReconciler:
        return self._live_check

    @property
    def refusals(self) -> RefusalPolicy:
        return self._refusals

    async def reconcile_at_start(self, action: StartPositionAction) -> Reconciliation:
        """Live, before the first decision: make the ledger agree with the venue
        (``core.engine.reconcile``); raises ``ReconcileError`` when the venue cannot be read."""
        return await reconcile_at_start(
            self._venue, self._positions, self._kill_switch, self.notice, action
        )

    async def settle_in_flight(self, orders: Sequence[InFlightOrder]) -> Settlement:
        """Live, after a crash and before ``reconcile_at_start``: book what the venue says of
        the orders the last run left without an answer (``core.engine.settle``); raises
        ``SettleError`` when one cannot be settled."""
        if self._venue is None:
            raise SettleError("live trading needs venue API keys")

        async def book(order: InFlightOrder, result: OrderResult) -> int:
            return await self._execution.book_settled(
                order.request, result, order.signal_number, order.stored_fill_ids
            )

        return await settle_in_flight(orders, self._venue, book, self.notice)

    @property
    def busy(self) -> bool:
        """One of the strategy's orders, or the commit of its fills, is in flight."""
        return self._trader.busy

    async def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Wait until no order or commit is in flight; False when it did not settle in time."""
        return await self._trader.wait_idle(timeout_s)

    def cancel_flatten(self) -> None:
        """Ask a kill switch flatten still running to stop now, before the event loop turns
        again (``close`` then waits for it): a sweep's shared pass ends many engines at once."""
        self._kill_switch.cancel()

    async def close(self) -> None:
        """Cancel the engine's own tasks (orders in flight are awaited briefly first)."""
        await self.wait_idle(5.0)
        await self._kill_switch.close()
        await self._tasks.cancel_all()

    def notice(self, text: str) -> None:
        """Something the user should read (shown, printed, logged)."""
        self._notices.post(text)

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
        self._positions.restore(position, realized_pnl=realized_pnl, fees_paid=fees_paid)
        self._risk.restore_day(day=day, trades=trades_today, realized_pnl_usd=realized_today)
        self._signals.next_number = next_signal_number

    # ------------------------------------------------------------------ reading
    @property
    def realized_today(self) -> Decimal:
        """Today's (UTC) closed trades net of fees: what the daily loss limit counts."""
        return self._risk.realized_today

    @property
    def ledger(self) -> Ledger:
        return self._positions.ledger

    @property
    def book(self) -> OrderBook:
        """The traded product's book."""
        return self._market.book

    @property
    def venue(self) -> ExecutionVenue | None:
        return self._venue

    @property
    def instrument(self) -> Instrument:
        return self.config.instrument

    @property
    def latency(self) -> LatencyHistogram:
        """Tick -> decision: the adapter's ``recv_ns`` to the decision being complete."""
        return self._trader.latency

    @property
    def latency_histograms(self) -> dict[str, LatencyHistogram]:
        """The live histograms by name (``core.latency``: tick_to_decision, decision_to_order,
        order_to_ack); the store copies them with ``record_latency``."""
        return self._view.latency_histograms()

    def state(self, *, depth: int = 10) -> EngineState:
        return self._view.state(depth)
