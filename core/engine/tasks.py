"""The engine's own background tasks: each named and owned, its failure noticed, all cancelled
when the engine closes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from core.cancelling import cancel_and_wait

log = logging.getLogger(__name__)


class EngineTasks:
    def __init__(self, notice: Callable[[str], None]) -> None:
        self._notice = notice
        self._tasks: set[asyncio.Task[object]] = set()

    def spawn(self, work: Awaitable[object], name: str) -> None:
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("engine task %s failed", task.get_name(), exc_info=task.exception())
            self._notice(f"internal error in {task.get_name()}: {task.exception()}")

    async def cancel_all(self) -> None:
        await cancel_and_wait(list(self._tasks))
