"""What the console needs from a trading run: its engine, what was asked for, start and stop.

``console.session.TradingSession`` is the real one (venue, feed, watchdog); ``MarketReplay``
(``replay.py``) is a deterministic one for snapshots and screenshots. The console reads
``engine.state()`` and calls engine commands; it holds no trading logic.
"""

from __future__ import annotations

from typing import Protocol

from console.options import RunOptions
from console.totals import SessionBase
from core.engine import Engine
from core.engine_state import KillSwitchStatus
from core.enums import Mode
from core.store import RunEnd


class EngineHost(Protocol):
    engine: Engine
    options: RunOptions
    # What a resumed session had booked before this run (``console.totals``); None otherwise.
    session_base: SessionBase | None
    # False where the clock stands still while the engine works (a replay): no latency to show.
    latency_measured: bool

    async def start(self) -> None:
        """Start feeding the engine (on the running loop, i.e. the console's)."""
        ...

    async def set_mode(self, mode: Mode) -> None:
        """Change mode; ``ModeChangeRefused`` (one line) when it may not, nothing changed then."""
        ...

    async def stop(
        self, *, flatten: bool, how: RunEnd = RunEnd.COMPLETED
    ) -> KillSwitchStatus | None:
        """Flatten first when asked (paper and live), stop every task, close the run's record."""
        ...
