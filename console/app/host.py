"""What the console needs from a trading run, and nothing more: ``SessionHost``.

``console.session.TradingSession`` is the real one (venue, feed, watchdog, record);
``MarketReplay`` (``replay.py``) is a deterministic one for snapshots and screenshots, and
``console.replay.ui.RecordingHost`` plays a recording. The console reads the engine's state
through ``ConsoleEngine`` (the few engine members it uses, not the engine class) and asks the
host to start, change mode and stop; it holds no trading logic and never sees a session's
store, venue connection, control socket or record. ``tests/console/ui/test_host_boundary.py``
keeps it so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from console.options import RunOptions
from console.totals import SessionBase
from core.dead_man import DeadManView
from core.engine import EngineConfig
from core.engine_state import EngineState, KillSwitchStatus
from core.enums import Mode
from core.instrument import Instrument
from core.latency import LatencyHistogram
from core.ledger import Ledger
from core.store import RunEnd


class ConsoleEngine(Protocol):
    """The engine as the console sees it: its state to draw, and the commands of its keys."""

    @property
    def config(self) -> EngineConfig: ...

    @property
    def instrument(self) -> Instrument: ...

    @property
    def started_wall_ns(self) -> int: ...

    @property
    def mode(self) -> Mode: ...

    @property
    def paused(self) -> bool: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def latency_histograms(self) -> Mapping[str, LatencyHistogram]: ...

    def state(self, *, depth: int = 10) -> EngineState: ...

    def check_mode_change(self, mode: Mode) -> None:
        """Raises ``ModeChangeRefused`` (one line) when ``mode`` may not be asked for now."""
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    async def flatten_all(self, reason: str) -> KillSwitchStatus: ...


class SessionHost(Protocol):
    @property
    def engine(self) -> ConsoleEngine: ...

    @property
    def options(self) -> RunOptions: ...

    # What a resumed session had booked before this run (``console.totals``); None otherwise.
    @property
    def session_base(self) -> SessionBase | None: ...

    # False where the clock stands still while the engine works (a replay): no latency to show.
    @property
    def latency_measured(self) -> bool: ...

    def dead_man(self) -> DeadManView:
        """The venue's dead man's switch as shown (off in paper, dry run and replays)."""
        ...

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
