"""``TradingSession``: one run from start to its end — the session name taken, the doors to
live trading passed, the feed and the watchdog running, and a stop that runs to its end.

Building the run is ``setup``'s job, the live checks ``live``'s, the periodic record
``recording``'s and the facts the end is decided on ``verdict``'s; this module puts them in order.
Time comes only from the injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from typing import Any

from console.account_lock import AccountLockError
from console.checklists.reminder import KillSwitchReminders
from console.control import ControlError, ControlHandlers, ControlServer
from console.heap import settle_startup_heap
from console.options import RunOptions
from console.session.live import LiveDoors
from console.session.maintenance import maintenance_task
from console.session.recording import KillSwitchRecord, SessionRecorder
from console.session.setup import (
    account_lock,
    adopt_spot_holding,
    fill_bands,
    in_flight_orders,
    restore,
    session_engine_config,
)
from console.session.verdict import flatten_at_stop, may_disarm, with_uncertain_orders
from console.settings import Settings
from console.stopping import run_to_end
from console.totals import SessionBase
from console.unattended.runtime import Unattended
from console.venue_setup import StartupError, VenueConnection
from core.cancelling import cancel_and_wait
from core.clock import Clock, SystemClock
from core.engine import Engine
from core.engine.reconcile import ReconcileError, Reconciliation
from core.engine.settle import SettleError
from core.engine_state import KillSwitchStatus
from core.enums import Mode
from core.observer import EngineObserver
from core.ports import VenueError
from core.store import RunEnd, SessionStore

log = logging.getLogger(__name__)


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
        self.clock = clock = clock or SystemClock()
        observers = list(observers)
        self.bands = fill_bands(options, settings, connection, clock)  # not live: worse/better
        if self.bands is not None:
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
            observers.append(KillSwitchRecord(store, clock))
        symbol = connection.instrument.symbol
        label = options.session or f"{connection.venue_name} {symbol}"
        self.unattended = Unattended(options, settings, symbol, label)
        observers += self.unattended.observers
        self.engine = Engine(
            session_engine_config(options, settings, connection),
            feed=connection.feed,
            clock=clock,
            venue=connection.venue if connection.can_trade_live else None,
            journal=store,
            observers=observers,
        )
        if self.bands is not None:
            self.bands.watch(self.engine.book, lambda: self.engine.mode)
        self._recorder: SessionRecorder | None = None
        if store is not None:
            store.on_failure(self.engine.store_failed)  # told at once, not at the next record
            restore(self.engine, store.resume, connection.instrument.symbol)
            adopt_spot_holding(connection, self.engine.ledger.position)
            self._recorder = SessionRecorder(store, self.engine, self.bands, settings, clock)
        self.account_lock = account_lock(options, settings, connection)
        self._live = LiveDoors(
            self.engine,
            connection,
            settings,
            options.mode,
            account_lock=self.account_lock,
            in_flight=in_flight_orders(store.resume) if store is not None else (),
        )
        self.dead_man = self._live.dead_man_view  # the switch as shown (``SessionHost``)
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping: asyncio.Task[KillSwitchStatus | None] | None = None
        self._started = False  # start() went through: there is something to flatten and stop

    @property
    def reconciliation(self) -> Reconciliation | None:
        """The venue's positions and orders as found when the run last went live."""
        return self._live.reconciliation

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
                await self._live.open()
        except (ControlError, ReconcileError, SettleError, AccountLockError) as exc:
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
        if maintenance := maintenance_task(self.engine, self.connection, self._live, self.settings):
            self._tasks.append(maintenance)
        if self._recorder is not None:
            self._tasks.append(
                asyncio.create_task(self._recorder.record_forever(), name="session record")
            )
        await self.unattended.started(self)
        if self.store is not None:  # the guide's monthly habit: test the kill switch
            reminders = KillSwitchReminders.of_run(
                self.store, self.engine, self.clock, self.unattended.post
            )
            await reminders.at_start()
            self._tasks.append(asyncio.create_task(reminders.daily(), name="kill switch reminder"))

    async def set_mode(self, mode: Mode) -> None:
        """Change mode mid-run through the same doors as a start (``LiveDoors.set_mode``);
        ``ModeChangeRefused`` (one line) when it may not, and then nothing has changed."""
        await self._live.set_mode(mode)

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
            "dead_mans_switch": self.dead_man().text(state.wall_ns),
        }

    async def _run_feed(self) -> None:
        try:
            await self.connection.feed.run(self.engine)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the feed reconnects by itself; reaching here is a bug
            log.exception("market feed stopped")
            self.engine.notice(f"market feed stopped: {exc}")

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
        position = engine.ledger.position.quantity
        if flatten_at_stop(
            started=self._started, asked=flatten, mode=engine.mode, position=position
        ):
            status = await engine.flatten_all("Shutdown: flatten")
        await cancel_and_wait(self._tasks)
        await engine.close()
        if self.bands is not None:
            self.bands.finish()  # orders still waiting on a band's latency fill against this book
        uncertain = engine.uncertain_orders
        status = with_uncertain_orders(engine.mode, status, uncertain)
        disarm = may_disarm(engine.mode, status, engine.ledger.position.quantity, uncertain)
        try:
            if self._recorder is not None:
                await self._recorder.close(how)
        finally:
            await self._release(disarm=disarm)
            await self.unattended.stopped(how, status)
        return status

    async def _release(self, *, disarm: bool = True) -> None:
        """Stop the dead-man's switch (disarmed: a clean exit) and give the session name back."""
        await self._live.release(disarm=disarm)
        if self.control is not None:
            await self.control.stop()
