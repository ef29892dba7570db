"""One trading run: the venue connection, the engine, the tasks that feed it, and its record.

Shared by the headless runner and the Textual console, so both start and stop the same way.
With a named session, the run is recorded in the SQLite store and continues the session where
its last run stopped: position, P&L, today's risk tallies, signal numbering and gate clock.

* ``start()``: a named session first takes its control socket (``console.control``: refuses a
  second process for the same session, lets ``l2console flatten`` reach it); live, the venue's
  positions and orders are reconciled with the session (``core.engine.reconcile``,
  ``POSITION_ON_START``) and the Kraken dead-man's switch is armed, before the feed and the
  watchdog start;
* ``flatten(reason)``: the kill switch, for every trigger (console key, signals, the flatten
  command); its result goes to the observers (printed, shown, recorded);
* ``stop(flatten=…)``: flatten if asked, stop the tasks, close the record, disarm the dead-man's
  switch (a clean exit), release the control socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from console.checklists.reminder import kill_switch_reminder
from console.control import ControlError, ControlHandlers, ControlServer
from console.door import door_record
from console.exit_status import venue_may_hold
from console.heap import settle_startup_heap
from console.options import RunOptions
from console.report import SessionReport, build_report
from console.settings import Settings
from console.stopping import run_to_end
from console.totals import SessionBase
from console.venue_setup import StartupError, VenueConnection
from core.clock import Clock, SystemClock
from core.engine import Engine, EngineConfig, ModeChangeRefused
from core.engine.reconcile import ReconcileError, Reconciliation
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import Mode
from core.fill_bands import FillBands
from core.ledger import Position
from core.observer import EngineObserver
from core.ports import VenueError
from core.store import (
    EquityPoint,
    GateEvaluation,
    ResumeState,
    RunEnd,
    SessionReader,
    SessionSpec,
    SessionStore,
    StoreError,
)

log = logging.getLogger(__name__)

EQUITY_EVERY_S = 30.0
LATENCY_EVERY_S = 60.0


class TradingSession:
    def __init__(
        self,
        options: RunOptions,
        settings: Settings,
        connection: VenueConnection,
        *,
        observers: Iterable[EngineObserver] = (),
        store: SessionStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.options = options
        self.settings = settings
        self.connection = connection
        self.store = store
        # A resumed session's totals before this run: screens show this run and the session apart.
        self.session_base = SessionBase.of(store.resume if store is not None else None)
        self.latency_measured = True
        clock = clock or SystemClock()
        observers = list(observers)
        self.bands: FillBands | None = None  # paper and dry-run: this run's fills, worse/better
        if options.mode is not Mode.LIVE:
            self.bands = FillBands(
                instrument=connection.instrument,
                taker_fee_rate=connection.taker_fee_rate,
                clock=clock,
                models=settings.fill_bands,
                schedule=_call_later,
            )
            observers.append(self.bands)
        self.control: ControlServer | None = None
        if options.session:
            data_dir = options.db_path.parent if options.db_path else settings.data_dir
            try:
                self.control = ControlServer(data_dir, options.session)
            except ControlError as exc:
                raise StartupError(str(exc)) from None
            observers.append(self.control)
        if store is not None:
            observers.append(KillSwitchRecord(store))
        self.engine = Engine(
            engine_config(options, settings, connection),
            feed=connection.feed,
            clock=clock,
            venue=connection.venue if connection.can_trade_live else None,
            journal=store,
            observers=observers,
        )
        if self.bands is not None:
            self.bands.watch(self.engine.book, lambda: self.engine.mode)
        if store is not None:
            restore(self.engine, store.resume, connection.instrument.symbol)
            adopt_spot_holding(connection, self.engine.ledger.position)
        self.reconciliation: Reconciliation | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping: asyncio.Task[KillSwitchStatus | None] | None = None
        self._started = False  # start() went through: there is something to flatten and stop
        self._dead_man_armed = False

    async def start(self) -> None:
        """Take the session name, reconcile and arm (live), then start feeding the engine.

        Raises ``StartupError`` (one line) when the session already runs elsewhere, or live
        trading cannot start safely (venue positions unreadable, dead-man's switch refused).
        Starting a started session does nothing.
        """
        if self._started:
            return
        try:
            if self.control is not None:
                await self.control.start(ControlHandlers(self.flatten, self.status))
            if self.engine.mode is Mode.LIVE:
                await self._prepare_live()
        except (ControlError, ReconcileError) as exc:
            await self._release()
            raise StartupError(str(exc)) from None
        except VenueError as exc:
            await self._release()
            raise StartupError(f"cannot arm the venue's dead-man's switch: {exc}") from None
        self._started = True
        settle_startup_heap()
        self._tasks = [
            asyncio.create_task(self._run_feed(), name="feed"),
            asyncio.create_task(self.engine.watch_staleness(), name="staleness watchdog"),
            asyncio.create_task(
                self.engine.reconcile_periodically(self.engine.config.reconcile_interval_s),
                name="live reconciliation",
            ),
        ]
        if self.store is not None:
            self._tasks.append(asyncio.create_task(self._record_forever(), name="session record"))
            await self._remind_kill_switch()

    async def _remind_kill_switch(self) -> None:
        """The guide's monthly habit: a notice when the last kill switch test is 30+ days old."""
        assert self.store is not None
        name = self.store.resume.session.name
        args = (self.store.path, name, self.engine.mode, time.time_ns())
        reminder = await asyncio.to_thread(kill_switch_reminder, *args)
        if reminder is not None:
            self.engine.notice(reminder)

    async def _prepare_live(self) -> None:
        self.reconciliation = await self.engine.reconcile_at_start(self.settings.position_on_start)
        dead_man = self.connection.dead_man
        if dead_man is not None:
            dead_man.report_to(self.engine.notice)
            await dead_man.start()
            self._dead_man_armed = True

    async def set_mode(self, mode: Mode) -> None:
        """Change mode mid-run (the console's toggle) through the same doors as a start.

        Going live reconciles with the venue and arms its dead-man's switch before the first live
        decision, exactly as a live start does; leaving live disarms it. Raises
        ``ModeChangeRefused`` with a one-line reason, and then nothing has changed.
        """
        engine = self.engine
        if mode is engine.mode:
            return
        engine.check_mode_change(mode)
        if mode is Mode.LIVE:
            engine.halt_decisions(True)  # no decision in either mode while we check the venue
            try:
                engine.set_mode(mode)
                try:
                    await self._prepare_live()
                except (ReconcileError, VenueError) as exc:
                    engine.force_mode(
                        self.options.mode if self.options.mode is not Mode.LIVE else Mode.DRY_RUN
                    )
                    await self._release_dead_man()
                    raise ModeChangeRefused(f"cannot go live safely: {exc}") from None
            finally:
                engine.halt_decisions(False)
            return
        engine.set_mode(mode)
        await self._release_dead_man()

    async def flatten(self, reason: str = "Kill switch: flatten all") -> KillSwitchStatus:
        """The kill switch, whoever pulls it (console key, signal, ``l2console flatten``)."""
        return await self.engine.flatten_all(reason)

    def status(self) -> dict[str, Any]:
        """What ``l2console flatten`` prints about the session (no secrets, no book)."""
        state = self.engine.state(depth=0)
        return {
            "session": self.options.session,
            "pid": os.getpid(),
            "venue": state.venue,
            "symbol": state.symbol,
            "mode": state.mode.value,
            "book": state.book.state.value,
            "position": str(state.position.quantity),
            "kill_switch": state.kill_switch.phase.value,
            "kill_switch_detail": state.kill_switch.detail,
        }

    async def _run_feed(self) -> None:
        try:
            await self.connection.feed.run(self.engine)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the feed reconnects by itself; reaching here is a bug
            log.exception("market feed stopped")
            self.engine.notice(f"market feed stopped: {exc}")

    async def _record_forever(self) -> None:
        last_latency = time.monotonic()
        while True:
            await asyncio.sleep(EQUITY_EVERY_S)
            self._record_equity()
            if time.monotonic() - last_latency >= LATENCY_EVERY_S:
                self._record_latency()
                self._record_bands()
                last_latency = time.monotonic()

    def _record_equity(self) -> None:
        assert self.store is not None
        state = self.engine.state()
        realized = state.realized_pnl - state.fees_paid
        self.store.record_equity(
            EquityPoint(
                wall_ns=state.wall_ns,
                equity=realized + state.unrealized_pnl,
                realized_pnl=realized,
                unrealized_pnl=state.unrealized_pnl,
                position=state.position.quantity,
                mark_price=state.mark_price,
            )
        )

    def _record_latency(self) -> None:
        """Tick→decision, decision→order and order→ack (``core.latency`` names), as of now."""
        assert self.store is not None
        now_ns = time.time_ns()
        for name, histogram in self.engine.latency_histograms.items():
            self.store.record_latency(name, histogram, now_ns)

    def _record_bands(self) -> None:
        """The paper decisions' P&L filled worse / as paper / better, as of now."""
        assert self.store is not None
        if self.bands is not None:
            self.store.record_fill_bands(self.bands.default(), self.bands.results(), time.time_ns())

    async def stop(
        self, *, flatten: bool, how: RunEnd = RunEnd.COMPLETED
    ) -> KillSwitchStatus | None:
        """Flatten first when asked (paper and live only), stop every task, close the record.

        Once begun, a stop runs to its end: cancelling its caller (the console closing, the run's
        task cancelled) does not cut the flatten short, and a later call waits for the same stop
        and returns its result (the first call's ``flatten`` and ``how`` hold).
        """
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop_once(flatten=flatten, how=how))
            self._stopping.set_name("session stop")
        return await run_to_end(self._stopping)

    async def _stop_once(self, *, flatten: bool, how: RunEnd) -> KillSwitchStatus | None:
        status = None
        engine = self.engine
        # Live always asks the venue (it may hold orders or a position the ledger does not know).
        must_check = engine.mode is Mode.LIVE or engine.ledger.position.quantity != 0
        # A start that failed (venue unreadable, session taken) said why; it traded nothing.
        if self._started and flatten and engine.mode in (Mode.PAPER, Mode.LIVE) and must_check:
            status = await engine.flatten_all("Shutdown: flatten")
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await engine.close()
        if status is None and engine.mode is Mode.LIVE and engine.uncertain_orders:
            # No flatten asked for, but an order may still execute: not flat (exit status 1).
            ids = ", ".join(engine.uncertain_orders)
            status = KillSwitchStatus(
                KillSwitchPhase.FAILED, f"NOT FLAT: order {ids} outcome uncertain"
            )
        if self.bands is not None:
            self.bands.finish()  # orders still waiting on a band's latency fill against this book
        # Live and not confirmed flat: the dead-man's switch stays armed, so the venue cancels
        # any order left behind once it times out.
        # An order whose outcome is still uncertain may yet reach the venue: not confirmed flat.
        disarm = engine.mode is not Mode.LIVE or not (
            venue_may_hold(status, engine.ledger.position.quantity) or engine.uncertain_orders
        )
        try:
            if self.store is not None:
                await self._close_record(how)
        finally:
            await self._release(disarm=disarm)
        return status

    async def _release(self, *, disarm: bool = True) -> None:
        """Stop the dead-man's switch (disarmed: a clean exit) and give the session name back."""
        await self._release_dead_man(disarm=disarm)
        if self.control is not None:
            await self.control.stop()

    async def _release_dead_man(self, *, disarm: bool = True) -> None:
        dead_man = self.connection.dead_man
        if dead_man is not None and self._dead_man_armed:
            self._dead_man_armed = False
            await dead_man.stop(disarm=disarm)

    async def _close_record(self, how: RunEnd) -> None:
        assert self.store is not None
        try:
            self._record_equity()
            self._record_latency()
            self._record_bands()
            await self.store.flush()
            await self._record_gate()
        finally:
            await self.store.close(how)

    async def _record_gate(self) -> None:
        """The gate verdict as of this run's end, kept with the session (reports recompute it)."""
        assert self.store is not None
        path, name = self.store.path, self.store.resume.session.name
        report = await asyncio.to_thread(_read_report, path, name, self.settings)
        self.store.record_gate_evaluation(
            GateEvaluation(
                wall_ns=time.time_ns(),
                gate=report.gate.gate.value,
                ready=report.gate.ready,
                details={r.kind.value: r.met for r in report.gate.requirements},
            )
        )


class KillSwitchRecord(EngineObserver):
    """Keeps every kill switch result in the session record (who pulled it, what the venue
    said), next to the fills it produced."""

    def __init__(self, store: SessionStore) -> None:
        self._store = store

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        try:
            self._store.record_kill_switch(
                reason=reason,
                phase=status.phase.value,
                detail=status.detail,
                wall_ns=time.time_ns(),
            )
        except StoreError as exc:  # the engine stops on recording failures of its own
            log.error("kill switch result not recorded: %s", exc)


def _call_later(delay_s: float, callback: Callable[[], None]) -> None:
    asyncio.get_running_loop().call_later(delay_s, callback)


def _read_report(path: Path, name: str, settings: Settings) -> SessionReport:
    with SessionReader(path) as reader:
        return build_report(reader.report_data(name), settings.gate_settings)


def adopt_spot_holding(connection: VenueConnection, position: Position) -> None:
    """A spot venue knows only what this process bought: a resumed long is the strategy's too,
    so the kill switch can see (and sell) it."""
    holdings = connection.spot_holdings
    if holdings is not None and position.quantity > 0:
        holdings.adopt_holding(position.product, position.quantity, position.entry_price)


def engine_config(
    options: RunOptions, settings: Settings, connection: VenueConnection
) -> EngineConfig:
    return EngineConfig(
        venue_name=connection.venue_name,
        instrument=connection.instrument,
        mode=options.mode,
        strategy=settings.strategy_params,
        risk=settings.risk_limits,
        trade_notional_usd=settings.trade_notional_usd,
        taker_fee_rate=connection.taker_fee_rate,
        imbalance_depth=settings.imbalance_depth,
        stale_after_s=settings.websocket_timeout_seconds,
        long_only=connection.long_only,
        freshness=settings.freshness_policy,
        reconcile_interval_s=settings.reconcile_interval_seconds,
        mode_locked=(
            f"session {options.session} records {options.mode.value} trading only; "
            "start another session to trade in another mode"
            if options.session
            else ""
        ),
    )


def session_spec(
    name: str, options: RunOptions, settings: Settings, connection: VenueConnection
) -> SessionSpec:
    """What the session records about itself: where it trades and the parameters as run."""
    config = engine_config(options, settings, connection)
    return SessionSpec(
        name=name,
        venue=options.broker,
        symbol=connection.instrument.symbol,
        mode=options.mode,
        parameters={
            "strategy": _plain(dataclasses.asdict(config.strategy)),
            "risk": _plain(dataclasses.asdict(config.risk)),
            "trade_notional_usd": str(config.trade_notional_usd),
            "taker_fee_rate": str(config.taker_fee_rate),
            "imbalance_depth": config.imbalance_depth,
            **door_record(options),
        },
    )


def _plain(values: dict[str, object]) -> dict[str, object]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


async def open_store(
    name: str,
    db_path: Path,
    options: RunOptions,
    settings: Settings,
    connection: VenueConnection,
) -> SessionStore:
    """Create or resume the named session (``StoreError`` subclasses carry one-line reasons,
    also for a folder that cannot be created or written)."""
    spec = session_spec(name, options, settings, connection)
    return await SessionStore.open(db_path, spec, clock=time.time_ns)


def restore(engine: Engine, resume: ResumeState, symbol: str) -> None:
    engine.restore(
        position=resume.position(symbol),
        realized_pnl=resume.realized_pnl,
        fees_paid=resume.fees_paid,
        day=resume.today.day,
        trades_today=resume.today.trades,
        realized_today=resume.today.realized_pnl_usd,
        next_signal_number=resume.next_signal_number,
    )
