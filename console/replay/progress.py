"""A one-line progress bar on stderr for long replays: only on a terminal, never in the report."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30
SHOW_AFTER_S = 0.5  # short replays finish before the bar would appear
REDRAW_EVERY_S = 0.1


class ProgressBar:
    """``bar(bytes_read, total_bytes, frames)``; ``bar.close()`` erases it."""

    def __init__(self, label: str = "REPLAY", stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._label = label
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = 0

    def __call__(self, done: int, total: int, frames: int) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if now - self._started < SHOW_AFTER_S or now - self._last_draw < REDRAW_EVERY_S:
            return
        self._last_draw = now
        share = min(1.0, done / total) if total else 1.0
        filled = round(share * BAR_WIDTH)
        rate = frames / (now - self._started)
        text = (
            f"\r{self._label} {share:4.0%} [{'#' * filled}{' ' * (BAR_WIDTH - filled)}] "
            f"{frames:,} frames ({rate:,.0f}/s)"
        )
        self._drawn = max(self._drawn, len(text))
        self._stream.write(text)
        self._stream.flush()

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\r" + " " * self._drawn + "\r")
            self._stream.flush()
            self._drawn = 0
