"""The simulated venue's ``GET /0/public/SystemStatus`` and the maintenance arrays of ``status``.

Docs (Get System Status): ``{"error": [], "result": {"status", "timestamp",
"upcoming_maintenance": [...], "emergency": [...]}}``; ``upcoming_maintenance`` carries the
scheduled events within 72 hours and an event leaves it once its window starts. The window is the
shared knob ``faults.schedule_maintenance`` (``KrakenUnifiedSimServer.announce_maintenance``
adds the affected services); each entry has the keys of the documented ``MaintenanceSchedule``
events [A: the status page did not show them]. ``UnifiedFaults.add_maintenance_entries`` serves
extra entries as given (malformed or unknown ones); ``add_emergency_entries`` fills
``emergency``, empty otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web

from brokers.sim.faults import SimFaults
from brokers.sim.kraken_unified.faults import UnifiedFaults
from brokers.sim.kraken_unified.wire import rfc3339

SYSTEM_STATUS_PATH = "/0/public/SystemStatus"
WITHIN_NS = 72 * 3600 * 1_000_000_000  # the docs: events within 72 hours


class SystemStatusApi:
    def __init__(
        self,
        faults: SimFaults,
        unified_faults: UnifiedFaults,
        clock: Callable[[], int],
        system: Callable[[], str],
    ) -> None:
        self.faults = faults
        self.unified_faults = unified_faults
        self.clock = clock
        self.system = system
        self.calls = 0

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(SYSTEM_STATUS_PATH, self.handle)

    def upcoming(self, now_ns: int) -> list[Any]:
        """``upcoming_maintenance`` now: the announced window until it starts, then nothing."""
        window = self.faults.maintenance
        entries: list[Any] = []
        if window is not None and now_ns < window.start_ns <= now_ns + WITHIN_NS:
            entries.append(
                {
                    "event_id": 1,
                    "title": window.note,
                    "expected_start_utc": rfc3339(window.start_ns),
                    "expected_end_utc": rfc3339(window.end_ns),
                    "time_to_start_s": (window.start_ns - now_ns) // 1_000_000_000,
                    "phase": "announced",
                    "affected_services": list(self.unified_faults.maintenance_services),
                    "order_submission": "allowed",
                    "recommended_action": "continue",
                }
            )
        return entries + list(self.unified_faults.extra_maintenance_entries)

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        now = self.clock()
        result = {
            "status": self.system(),
            "timestamp": rfc3339(now),
            "upcoming_maintenance": self.upcoming(now),
            "emergency": list(self.unified_faults.emergency_entries),
        }
        return web.Response(
            body=orjson.dumps({"error": [], "result": result}), content_type="application/json"
        )
