"""Helpers for Pilot tests: bounded waits on the console and the engine, never sleeps asserted."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot


async def wait_until(
    pilot: Pilot[object], done: Callable[[], bool], *, seconds: float = 20
) -> None:
    """Let the app run until ``done()``; fails (never hangs) after ``seconds``."""
    for _ in range(int(seconds / 0.02)):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"condition not reached within {seconds:g}s")
