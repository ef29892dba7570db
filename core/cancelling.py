"""Cancel tasks and wait for them, bounded, so a stop always ends.

A task can outlive its ``cancel()``: on Python 3.11 ``asyncio.wait_for`` swallows the cancellation
when what it awaits finishes in the same loop step (CPython gh-86296), and any ``except
BaseException`` can do the same. Waiting on such a task unbounded hung a stop forever. Here each
task still running after a grace period is cancelled again, and one that outlives every round is
logged and left behind: the caller's stop goes on (its flatten and its record matter more).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[object]], *, grace_s: float = 5.0, rounds: int = 3
) -> list[asyncio.Task[object]]:
    """Cancel ``tasks`` and wait until they end; those that did not after ``rounds`` cancels of
    ``grace_s`` each are returned (already logged)."""
    pending = {task for task in tasks if not task.done()}
    for round_number in range(1, rounds + 1):
        if not pending:
            break
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=grace_s)
        for task in pending:
            log.warning(
                "task %s still running %g s after cancel %d of %d",
                task.get_name(), grace_s, round_number, rounds,
            )  # fmt: skip
    for task in pending:
        log.error(
            "task %s ignored %d cancels; left behind so the stop can end", task.get_name(), rounds
        )
    return sorted(pending, key=lambda task: task.get_name())
