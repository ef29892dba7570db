"""One trading run: the venue connection, the engine and the tasks that feed it.

Shared by the headless runner and the Textual console, so both start and stop the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from console.options import RunOptions
from console.settings import Settings
from console.venue_setup import VenueConnection
from core.clock import Clock, SystemClock
from core.engine import Engine, EngineConfig
from core.engine_state import KillSwitchStatus
from core.enums import Mode
from core.observer import EngineObserver
from core.ports import Journal

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
        self.connection = connection
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
        )
        self.engine = Engine(
            config,
            feed=connection.feed,
            clock=clock or SystemClock(),
            venue=connection.venue if connection.can_trade_live else None,
            journal=journal,
            observers=observers,
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run_feed(), name="feed"),
            asyncio.create_task(self.engine.watch_staleness(), name="staleness watchdog"),
        ]

    async def _run_feed(self) -> None:
        try:
            await self.connection.feed.run(self.engine)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the feed reconnects by itself; reaching here is a bug
            log.exception("market feed stopped")
            self.engine.notice(f"market feed stopped: {exc}")

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
        return status
