"""Polling a venue's maintenance status, venue-neutral: each venue folder supplies the call that
asks its venue (``MaintenanceSource``), this loop asks every ``interval_s`` and hands each answer
(a ``core.maintenance.MaintenanceStatus``) on. A poll that fails is logged and counted, and the
last answer stands: a venue that cannot be asked is not taken to be in maintenance.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.maintenance import MaintenanceStatus
from core.ports import VenueError

log = logging.getLogger(__name__)

MaintenanceSource = Callable[[], Awaitable[MaintenanceStatus]]


@dataclass(slots=True)
class MaintenancePollStats:
    polls: int = 0
    failures: int = 0


class MaintenancePoller:
    def __init__(self, source: MaintenanceSource, *, interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError("the maintenance poll interval must be positive")
        self._source = source
        self._interval_s = interval_s
        self.stats = MaintenancePollStats()

    async def run(self, on_status: Callable[[MaintenanceStatus], Awaitable[None]]) -> None:
        """Poll until cancelled; ``on_status`` gets every answer, the first one at once."""
        while True:
            try:
                status = await self._source()
            except VenueError as exc:
                self.stats.failures += 1
                log.warning("maintenance status poll failed (%s); asking again later", exc)
            else:
                self.stats.polls += 1
                await on_status(status)
            await asyncio.sleep(self._interval_s)
