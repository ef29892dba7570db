"""Kraken Futures' maintenance windows, from its public notifications.

Docs (docs.kraken.com, Futures REST › General › Get notifications: ``GET
/derivatives/api/v3/notifications``, public): ``{"result":"success","notifications":[…],
"serverTime":…}``, each notification with ``type`` (``maintenance`` among new_feature, bug_fix,
settlement, general, market), ``priority`` (low, medium, high), ``note``, ``effectiveTime`` (when
it takes effect) and, for downtime, ``expectedDowntimeMinutes``. A ``maintenance`` notification
is read as a window from ``effectiveTime`` for ``expectedDowntimeMinutes`` (no end when absent);
of several, the first one not yet over. A notification we cannot read is a logged, counted drop.
"""

from __future__ import annotations

import logging

import msgspec

from brokers.kraken_futures.iso_time import iso_ns
from brokers.kraken_futures.rest_http import KrakenFuturesHttp
from brokers.kraken_futures.rest_wire import decode_as
from core.maintenance import MaintenanceStatus
from core.ports import VenueError

log = logging.getLogger(__name__)

VENUE = "Kraken Futures"
MAINTENANCE = "maintenance"
NS_PER_MINUTE = 60_000_000_000


class WireNotification(msgspec.Struct):
    type: str = ""
    priority: str = ""
    note: str = ""
    effectiveTime: str = ""
    expectedDowntimeMinutes: int | None = None


class NotificationsAnswer(msgspec.Struct):
    result: str = ""
    notifications: list[msgspec.Raw] = []
    serverTime: str = ""


class KrakenFuturesMaintenance:
    """``brokers.maintenance.MaintenanceSource`` for Kraken Futures (public: no keys needed)."""

    def __init__(self, http: KrakenFuturesHttp) -> None:
        self._http = http
        self.dropped = 0  # notifications we could not read

    async def __call__(self) -> MaintenanceStatus:
        body = await self._http.get("notifications", signed=False)
        try:
            answer = decode_as(body, NotificationsAnswer)
        except ValueError as exc:
            raise VenueError(
                f"{VENUE} notifications: unexpected answer ({exc})", code="bad_answer"
            ) from None
        now_ns = iso_ns(answer.serverTime) if answer.serverTime else 0
        windows: list[MaintenanceStatus] = []
        for raw in answer.notifications:
            try:
                item = decode_as(raw, WireNotification)
                if item.type != MAINTENANCE:
                    continue
                start = iso_ns(item.effectiveTime)
            except ValueError as exc:
                self.dropped += 1
                log.warning("%s: dropped an unreadable notification (%s)", VENUE, exc)
                continue
            minutes = item.expectedDowntimeMinutes
            end = None if minutes is None else start + minutes * NS_PER_MINUTE
            if end is not None and now_ns and end <= now_ns:
                continue  # over already
            windows.append(MaintenanceStatus(VENUE, False, start, end, item.note))
        if not windows:
            return MaintenanceStatus(VENUE)
        return min(windows, key=lambda w: w.start_ns or 0)
