"""Venue maintenance windows during a run: the venue's status polled every
``MAINTENANCE_POLL_SECONDS`` (``brokers.maintenance``), each answer given to the engine (entries
stop ``MAINTENANCE_LEAD_SECONDS`` ahead of a window: ``core.maintenance``) and the dead-man's
switch held off for the window (``LiveDoors.hold_for_maintenance``). The notices say each step,
and the notifier sends them (``NotifyEvent.MAINTENANCE``)."""

from __future__ import annotations

import asyncio

from brokers.maintenance import MaintenancePoller, MaintenanceSource
from console.session.live import LiveDoors
from console.settings import Settings
from console.venue_setup import VenueConnection
from core.engine import Engine
from core.maintenance import MaintenanceStatus


class MaintenanceFollower:
    def __init__(
        self,
        engine: Engine,
        source: MaintenanceSource,
        doors: LiveDoors,
        *,
        poll_s: float,
        lead_s: float,
    ) -> None:
        self._engine = engine
        self._doors = doors
        self._lead_s = lead_s
        self.poller = MaintenancePoller(source, interval_s=poll_s)

    async def run(self) -> None:
        await self.poller.run(self._follow)

    async def _follow(self, status: MaintenanceStatus) -> None:
        stopped = self._engine.follow_maintenance(status, self._lead_s)
        await self._doors.hold_for_maintenance(stopped)


def maintenance_task(
    engine: Engine, connection: VenueConnection, live: LiveDoors, settings: Settings
) -> asyncio.Task[None] | None:
    """The task that follows the venue's maintenance status, where the venue tells it."""
    if connection.maintenance is None:
        return None
    follower = MaintenanceFollower(
        engine,
        connection.maintenance,
        live,
        poll_s=settings.maintenance_poll_seconds,
        lead_s=settings.maintenance_lead_seconds,
    )
    return asyncio.create_task(follower.run(), name="venue maintenance")
