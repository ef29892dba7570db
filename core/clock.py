"""The engine's only source of time, injected so tests and replays control it."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def wall_ns(self) -> int:
        """Unix-epoch nanoseconds: timestamps users see, UTC days, hold times."""
        ...

    def mono_ns(self) -> int:
        """Monotonic nanoseconds, comparable with the adapters' ``recv_ns``: latency, staleness."""
        ...


class SystemClock:
    """The real clocks. The builtins themselves, not wrappers: the engine reads ``mono_ns`` on
    every book update, and a Python-level call would double what that costs."""

    __slots__ = ()

    wall_ns = staticmethod(time.time_ns)
    mono_ns = staticmethod(time.monotonic_ns)


class ManualClock:
    """A clock that moves only when told to (tests, deterministic replay)."""

    __slots__ = ("_mono", "_wall")

    def __init__(self, wall_ns: int = 1_700_000_000_000_000_000, mono_ns: int = 0) -> None:
        self._wall = wall_ns
        self._mono = mono_ns

    def wall_ns(self) -> int:
        return self._wall

    def mono_ns(self) -> int:
        return self._mono

    def advance(self, ns: int) -> None:
        self._wall += ns
        self._mono += ns

    def move_to(self, wall_ns: int, mono_ns: int) -> None:
        """Both clocks at once (a replay, before every recorded frame)."""
        self._wall = wall_ns
        self._mono = mono_ns

    def set(self, *, wall_ns: int | None = None, mono_ns: int | None = None) -> None:
        if wall_ns is not None:
            self._wall = wall_ns
        if mono_ns is not None:
            self._mono = mono_ns
