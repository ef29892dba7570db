"""Venue maintenance: what a venue says of it (``MaintenanceStatus``), and the rule that stops
entries for it (``MaintenanceGuard``).

The venue adapters poll their venue's status and hand each answer to the engine. Entries stop
``lead_s`` before a scheduled window starts (or at once, when the venue says maintenance is in
effect) and resume when the window is over: the ``MAINTENANCE`` restriction of
``core.trading_state`` (REDUCING: exits still go out), with the window in its reason, and a
notice at each change. An open incident the venue reports (no window) is a notice when it
appears and when the last one closes; it stops nothing: the venue's own status does that.
Times are Unix-epoch nanoseconds, judged by the engine's wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from core.clock import Clock
from core.trading_state import Restriction, TradingGate

NOTICE_PREFIX = "venue maintenance"  # every maintenance notice starts so (the notifier's cue)


@dataclass(frozen=True, slots=True)
class MaintenanceStatus:
    """The venue's word on maintenance at one poll."""

    venue: str
    in_effect: bool = False  # the venue says it is under maintenance now
    start_ns: int | None = None  # the scheduled window; None: none announced
    end_ns: int | None = None  # None: the venue gave no end
    note: str = ""  # the venue's own text, if any
    incidents: tuple[str, ...] = ()  # open incidents the venue reports (titles); they stop nothing

    def stops_entries(self, now_ns: int, lead_ns: int) -> bool:
        """In effect, or a scheduled window that starts within ``lead_ns`` and is not over."""
        if self.in_effect:
            return True
        if self.start_ns is None or (self.end_ns is not None and now_ns >= self.end_ns):
            return False
        return now_ns >= self.start_ns - lead_ns

    @property
    def window(self) -> str:
        """When, in the trader's words: "from 2026-12-05 10:00:00 UTC to 2026-12-05 10:30:00
        UTC"; "under way, end not given" when the venue says no more."""
        start = "under way" if self.start_ns is None else f"from {_utc(self.start_ns)} UTC"
        end = "end not given" if self.end_ns is None else f"to {_utc(self.end_ns)} UTC"
        return f"{start}, {end}" if self.end_ns is None else f"{start} {end}"


NO_MAINTENANCE = MaintenanceStatus(venue="")


class MaintenanceGuard:
    """Holds the ``MAINTENANCE`` restriction while a venue's window (and its lead) lasts."""

    def __init__(self, gate: TradingGate, notice: Callable[[str], None], clock: Clock) -> None:
        self._gate = gate
        self._notice = notice
        self._clock = clock
        self._window = ""  # the window entries are stopped for; "" when they are not
        self._incidents: tuple[str, ...] = ()  # the open incidents told so far

    @property
    def stopping_entries(self) -> bool:
        return bool(self._window)

    def apply(self, status: MaintenanceStatus, lead_s: float) -> bool:
        """Follow one status; True while entries are stopped for maintenance."""
        self._tell_incidents(status)
        now = self._clock.wall_ns()
        if status.stops_entries(now, int(lead_s * 1e9)):
            window = status.window
            if window != self._window:
                self._window = window
                self._gate.restrict(Restriction.MAINTENANCE, window)
                note = f" — {status.note}" if status.note else ""
                self._notice(f"{NOTICE_PREFIX} ({window}): no new entries, exits go on{note}")
            return True
        if self._window:
            self._window = ""
            self._gate.lift(Restriction.MAINTENANCE)
            self._notice(f"{NOTICE_PREFIX} over: entries resume")
        return False

    def _tell_incidents(self, status: MaintenanceStatus) -> None:
        incidents = status.incidents
        for title in incidents:
            if title not in self._incidents:
                self._notice(
                    f"{NOTICE_PREFIX}: {status.venue} reports an incident — {title} "
                    "(entries go on while the venue's status is online)"
                )
        if self._incidents and not incidents:
            self._notice(f"{NOTICE_PREFIX}: {status.venue} reports no open incident now")
        self._incidents = incidents


def _utc(wall_ns: int) -> str:
    moment = dt.datetime.fromtimestamp(wall_ns / 1e9, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")
