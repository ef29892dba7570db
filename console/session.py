"""One trading run: the venue connection, the engine and the tasks that feed it.

Shared by the headless runner and the Textual console, so both start and stop the same way:

* ``start()``: a named session first takes its control socket (``console.control``: refuses a
  second process for the same session); live, the venue's positions and orders are reconciled
  with the session (``core.reconcile``, ``POSITION_ON_START``) and the Kraken dead-man's switch
  is armed, before the feed and the watchdog start;
* ``flatten(reason)``: the kill switch, for every trigger (console key, signals, the flatten
  command); its result goes to the observers (printed, shown, stored);
* ``stop(flatten=…)``: flatten if asked, stop the tasks, disarm the dead-man's switch (a clean
  exit), release the control socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterable
from typing import Any

from console.control import ControlError, ControlHandlers, ControlServer
from console.options import RunOptions
from console.settings import Settings
from console.venue_setup import StartupError, VenueConnection
from core.clock import Clock, SystemClock
from core.engine import Engine, EngineConfig
from core.engine_state import KillSwitchStatus
from core.enums import Mode
from core.observer import EngineObserver
from core.ports import Journal, VenueError
from core.reconcile import ReconcileError, Reconciliation, reconcile_at_start

log = logging.getLogger(__name__)


class TradingSession:
    def __init__(
        self,
        options: RunOptions,
        settings: Settings,
        connection: VenueConnection,
        *,
        observers: Iterable[EngineObserver] = (),
        journal: Journal | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.options = options
        self.settings = settings
        self.connection = connection
        self.control: ControlServer | None = None
        observers = list(observers)
        if options.session:
            data_dir = options.db_path.parent if options.db_path else settings.data_dir
            try:
                self.control = ControlServer(data_dir, options.session)
            except ControlError as exc:
                raise StartupError(str(exc)) from None
            observers.append(self.control)
        config = EngineConfig(
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
        )
        self.engine = Engine(
            config,
            feed=connection.feed,
            clock=clock or SystemClock(),
            venue=connection.venue if connection.can_trade_live else None,
            journal=journal,
            observers=observers,
        )
        self.reconciliation: Reconciliation | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._dead_man_armed = False

    async def start(self) -> None:
        """Take the session name, reconcile and arm (live), then start feeding the engine.

        Raises ``StartupError`` (one line) when the session already runs elsewhere, or live
        trading cannot start safely (venue positions unreadable, dead-man's switch refused).
        """
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
        self._tasks = [
            asyncio.create_task(self._run_feed(), name="feed"),
            asyncio.create_task(self.engine.watch_staleness(), name="staleness watchdog"),
        ]

    async def _prepare_live(self) -> None:
        self.reconciliation = await reconcile_at_start(
            self.engine, self.settings.position_on_start
        )
        dead_man = self.connection.dead_man
        if dead_man is not None:
            dead_man.report_to(self.engine.notice)
            await dead_man.start()
            self._dead_man_armed = True

    async def _run_feed(self) -> None:
        try:
            await self.connection.feed.run(self.engine)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the feed reconnects by itself; reaching here is a bug
            log.exception("market feed stopped")
            self.engine.notice(f"market feed stopped: {exc}")

    async def flatten(self, reason: str = "Kill switch: flatten all") -> KillSwitchStatus:
        """The kill switch, whoever pulls it (console key, signal, ``l2console flatten``)."""
        return await self.engine.flatten_all(reason)

    def status(self) -> dict[str, Any]:
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

    async def stop(self, *, flatten: bool) -> KillSwitchStatus | None:
        """Flatten first when asked (paper and live only), then stop every task."""
        status = None
        engine = self.engine
        # Live always asks the venue (it may hold orders or a position the ledger does not know).
        must_check = engine.mode is Mode.LIVE or engine.ledger.position.quantity != 0
        if flatten and engine.mode in (Mode.PAPER, Mode.LIVE) and must_check:
            status = await engine.flatten_all("Shutdown: flatten")
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await engine.close()
        await self._release()
        return status

    async def _release(self) -> None:
        dead_man = self.connection.dead_man
        if dead_man is not None and self._dead_man_armed:
            self._dead_man_armed = False
            await dead_man.stop(disarm=True)
        if self.control is not None:
            await self.control.stop()
