"""Signals, trades and notices of a replay as they happen, stamped with the recorded time.

The headless run's lines, word for word, behind ``REPLAY <market time> |``: a replay's output
can never be mistaken for a live or paper session's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TextIO

from console.headless import HeadlessPrinter
from core.clock import Clock
from core.instrument import Instrument


class ReplayPrinter(HeadlessPrinter):
    def __init__(
        self,
        out: TextIO,
        instrument: Instrument,
        clock: Clock,
        *,
        before_line: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(out, instrument)
        self._clock = clock
        self._before_line = before_line  # e.g. erase the progress bar sharing the terminal

    def line(self, text: str) -> None:
        if self._before_line is not None:
            self._before_line()
        super().line(f"REPLAY {market_time(self._clock.wall_ns())} | {text}")


def market_time(wall_ns: int) -> str:
    """``2024-05-01 12:00:03.123`` (UTC, milliseconds)."""
    moment = dt.datetime.fromtimestamp(wall_ns // 1_000_000 / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{wall_ns // 1_000_000 % 1000:03d}"
