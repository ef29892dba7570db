"""Kraken's scheduled maintenance on the Unified path: Spot REST ``GET /0/public/SystemStatus``.

The v1 venue read windows from the Derivatives REST v3 ``notifications`` (decommissioned on
1 March 2027); ``kraken_unified`` polls the public Spot REST status at ``KRAKEN_REST_URL``
instead (PROTOCOL.md §1.3). Docs (Get System Status): ``{"error": [], "result": {"status",
"timestamp", "upcoming_maintenance": [...], "emergency": [...]}}``; the arrays are additive,
empty or absent when there is nothing to report; ``upcoming_maintenance`` carries scheduled
events within 72 hours and "an event is removed once its maintenance window starts"; the top
level ``status`` stays the trading engine's (``online``, ``maintenance``, ``cancel_only``,
``post_only``).

Assumptions [A], each written down because the status page did not show the entry keys:
- An entry has the keys of the documented ``GET /0/public/MaintenanceSchedule`` ``events``
  (same enums as the status arrays): ``event_id``, ``title``, ``expected_start_utc``,
  ``expected_end_utc`` (ISO 8601), ``phase``, ``affected_services``, ``recommended_action``.
  A key we do not know is counted (``unknown``), never fatal; an entry without a readable
  ``expected_start_utc`` is a logged, counted drop (``dropped``).
- An entry applies to us when ``affected_services`` names a futures service
  (``futures_ws``/``futures_rest``/``futures_fix``/``futures_trading``), ``all`` or
  ``unspecified``, or is empty/absent (the cautious reading); an unknown service is counted.
  ``phase: cancelled`` (listed in the FIX News enums) withdraws the event.
- Since an event leaves the array when its window starts, a window already seen is held until
  its end (by the venue's ``timestamp``); one that leaves the array *before* its start was
  withdrawn. A held window with no end is let go once the venue says ``online`` again.
- ``in_effect`` when the top-level ``status`` is ``maintenance``. The ``emergency`` array (open
  incidents, no window) changes no window: the titles of those that name a futures service (or
  none) go out as ``MaintenanceStatus.incidents``, and the engine tells the trader when one
  appears and when the last closes; the venue's own ``status`` is what stops entries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brokers.kraken_futures.iso_time import iso_ns
from brokers.kraken_futures.unified.spot_rest import read_result
from brokers.net.rest import RestTransport
from core.maintenance import MaintenanceStatus
from core.ports import VenueError

log = logging.getLogger(__name__)

VENUE = "Kraken"
PATH = "/0/public/SystemStatus"
OURS = frozenset({"futures_ws", "futures_rest", "futures_fix", "futures_trading", "all"})
SERVICES = OURS | {"spot_ws", "spot_rest", "spot_fix", "spot_trading", "unspecified"}
PHASES = frozenset(
    {"announced", "reminder_24h", "approaching_30m", "imminent_5m", "final_warning_30s"}
    | {"cancelled", "unspecified"}
)
KEYS = frozenset(
    {"event_id", "title", "expected_start_utc", "expected_end_utc", "time_to_start_s", "phase"}
    | {"affected_services", "order_submission", "recommended_action", "cancel_before_utc"}
    | {"source_url"}
)


def concerns_futures(services: Any) -> bool:
    """An entry's ``affected_services`` names a futures service, ``all`` or ``unspecified``, or
    none at all (the cautious reading)."""
    if not isinstance(services, list) or not services:
        return True
    return any(s in OURS or s == "unspecified" for s in services)


@dataclass(frozen=True, slots=True)
class Window:
    key: str  # event_id, else start/end
    start_ns: int
    end_ns: int | None
    note: str
    cancelled: bool = False


class EntryReader:
    """Reads ``upcoming_maintenance`` entries tolerantly, counting what it cannot read."""

    def __init__(self) -> None:
        self.dropped = 0  # entries without a readable window
        self.unknown: dict[str, int] = {}  # "key:x", "service:x", "phase:x" -> times seen
        self._logged: set[str] = set()

    def windows(self, entries: list[Any]) -> list[Window]:
        """The entries that apply to the futures venue, as windows."""
        found = []
        for entry in entries:
            try:
                window = self.window(entry)
            except ValueError as exc:
                self.dropped += 1
                log.warning("%s SystemStatus: dropped a maintenance entry (%s)", VENUE, exc)
                continue
            if window is not None:
                found.append(window)
        return found

    def window(self, entry: Any) -> Window | None:
        if not isinstance(entry, dict):
            raise ValueError(f"not an object: {str(entry)[:60]!r}")
        for name in entry.keys() - KEYS:
            self._unknown(f"key:{name}")
        start = _iso_ns(entry.get("expected_start_utc"), "expected_start_utc")
        end_text = entry.get("expected_end_utc")
        end = None if end_text in (None, "") else _iso_ns(end_text, "expected_end_utc")
        phase = entry.get("phase")
        if isinstance(phase, str) and phase not in PHASES:
            self._unknown(f"phase:{phase}")
        services = entry.get("affected_services")
        if not isinstance(services, list) or not services:
            services = ["unspecified"]
        for service in services:
            if service not in SERVICES:
                self._unknown(f"service:{service}")
        if not concerns_futures(services):
            return None  # spot only: not ours
        title = entry.get("title")
        note = title if isinstance(title, str) else ""
        key = str(entry.get("event_id") or f"{start}-{end}")
        return Window(key, start, end, note, cancelled=phase == "cancelled")

    def _unknown(self, what: str) -> None:
        self.unknown[what] = self.unknown.get(what, 0) + 1
        if what not in self._logged:
            self._logged.add(what)
            log.info("%s SystemStatus: unknown maintenance %s (ignored)", VENUE, what)


class KrakenUnifiedMaintenance:
    """``brokers.maintenance.MaintenanceSource`` for ``kraken_unified`` (public: no keys)."""

    def __init__(
        self, rest_url: str, *, timeout_s: float = 10.0, clock: Callable[[], int] = time.time_ns
    ) -> None:
        self._transport = RestTransport(VENUE, rest_url, timeout_s=timeout_s)
        self._clock = clock
        self.reader = EntryReader()
        self.held: dict[str, Window] = {}  # windows seen, kept until over (see the docstring)
        self.emergencies = 0  # ``emergency`` entries seen in the last answer

    async def close(self) -> None:
        await self._transport.close()

    async def __call__(self) -> MaintenanceStatus:
        answer = await self._transport.send("GET", PATH, "", {}, endpoint="SystemStatus")
        result = read_result(answer.body, answer.status, "SystemStatus")
        stamp = result.get("timestamp")
        try:
            now = _iso_ns(stamp, "timestamp") if stamp else self._clock()
        except ValueError:
            now = self._clock()
        entries = result.get("upcoming_maintenance") or []
        emergency = result.get("emergency") or []
        if not isinstance(entries, list) or not isinstance(emergency, list):
            raise VenueError(f"{VENUE} SystemStatus: arrays expected", code="bad_answer")
        self.emergencies = len(emergency)
        system = result.get("status")
        return self.follow(
            self.reader.windows(entries),
            now,
            system if isinstance(system, str) else "",
            incidents(emergency),
        )

    def follow(
        self, listed: list[Window], now_ns: int, system: str, open_incidents: tuple[str, ...] = ()
    ) -> MaintenanceStatus:
        """Update the held windows from one answer; the status of the nearest one."""
        present = {w.key: w for w in listed}
        for key, window in list(self.held.items()):
            gone = key not in present
            if (gone and window.start_ns > now_ns) or (
                window.end_ns is not None and window.end_ns <= now_ns
            ):
                del self.held[key]  # withdrawn before it started, or over
            elif window.end_ns is None and window.start_ns <= now_ns and system == "online":
                del self.held[key]  # no end given: over once the engine is back online
        for key, window in present.items():
            if window.cancelled or (window.end_ns is not None and window.end_ns <= now_ns):
                self.held.pop(key, None)
            else:
                self.held[key] = window
        in_effect = system == "maintenance"
        if not self.held:
            return MaintenanceStatus(VENUE, in_effect, incidents=open_incidents)
        nearest = min(self.held.values(), key=lambda w: w.start_ns)
        return MaintenanceStatus(
            VENUE, in_effect, nearest.start_ns, nearest.end_ns, nearest.note, open_incidents
        )


def incidents(emergency: list[Any]) -> tuple[str, ...]:
    """The titles of the open incidents that concern futures, in the venue's order, once each."""
    titles = (
        str(entry.get("title") or "no title")[:120]
        for entry in emergency
        if isinstance(entry, dict) and concerns_futures(entry.get("affected_services"))
    )
    return tuple(dict.fromkeys(titles))


def _iso_ns(text: Any, name: str) -> int:
    """An ISO 8601 time ("2026-05-11T09:00:00Z") as Unix ns; ValueError if it is not one."""
    if not isinstance(text, str):
        raise ValueError(f"{name} is not a time: {text!r}")
    try:
        return iso_ns(text)
    except ValueError:
        raise ValueError(f"{name} is not a time: {text[:40]!r}") from None
