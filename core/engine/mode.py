"""The trading mode (dry-run, paper, live) and when it may change."""

from __future__ import annotations

from collections.abc import Callable

from core.engine.positions import Positions
from core.enums import Mode


class ModeChangeRefused(Exception):
    """The mode cannot change now; the message says why in one line."""


class ModeSwitch:
    def __init__(
        self,
        mode: Mode,
        *,
        locked: str,
        positions: Positions,
        can_trade_live: bool,
        notice: Callable[[str], None],
    ) -> None:
        self.current = mode
        self._locked = locked  # why the mode may never change (a recorded session), or ""
        self._positions = positions
        self._can_trade_live = can_trade_live
        self._notice = notice

    def check(self, mode: Mode) -> None:
        """Raise ``ModeChangeRefused`` (one line) if the mode may not change to ``mode`` now."""
        if mode is self.current:
            return
        if self._locked:
            raise ModeChangeRefused(self._locked)
        if self._positions.position.quantity != 0:
            raise ModeChangeRefused(f"close the open position before switching to {mode.value}")
        if mode is Mode.LIVE and not self._can_trade_live:
            raise ModeChangeRefused("live trading needs venue API keys")

    def set(self, mode: Mode) -> None:
        self.check(mode)
        self.force(mode)

    def force(self, mode: Mode) -> None:
        """Switch without the checks: only to undo a switch that could not complete."""
        if mode is not self.current:
            self.current = mode
            self._notice(f"mode is now {mode.value}")
