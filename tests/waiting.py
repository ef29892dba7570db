"""Bounded waiting for tests: poll a condition until it holds or a generous deadline passes.

Used where the thing waited on offers no event (a server's state, a subprocess's effects). The
deadline is a safety net for a loaded machine, never the assertion: tests report measured times
and assert on outcomes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def eventually(
    condition: Callable[[], object],
    timeout_s: float = 10.0,
    *,
    poll_s: float = 0.01,
    what: str = "",
) -> float:
    """Wait until ``condition()`` is truthy; returns the seconds it took. TimeoutError if not."""
    started = time.monotonic()
    for _ in range(int(timeout_s / poll_s) + 1):
        if condition():
            return time.monotonic() - started
        await asyncio.sleep(poll_s)
        if time.monotonic() - started > timeout_s:
            break
    if condition():
        return time.monotonic() - started
    raise TimeoutError(f"not within {timeout_s:g}s: {what or condition}")
