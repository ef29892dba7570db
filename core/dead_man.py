"""The venue's dead man's switch as the console and the STATE line show it (pure data, no I/O).

``DeadManView`` is what the session knows of the switch at one moment: off and why (paper, dry
run, a venue without one), held off for a maintenance window, or armed, with its timeout, when
it was last confirmed by the venue, how many refreshes in a row have failed, and the venue's
trigger time of the last firing the session saw (after which the switch was armed again).
``text`` words it: ``armed 60 s · refreshed 12 s ago``, ``FIRED at 12:03:04 — re-armed 60 s ·
refreshed 2 s ago``, ``off (paper)``, ``disarmed for maintenance``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_NS = 1_000_000_000
_CLOCK = re.compile(r"T(\d\d:\d\d:\d\d)")


class DeadManPhase(StrEnum):
    OFF = "off"  # not armed: not live, or the venue has no switch (``why``)
    MAINTENANCE = "maintenance"  # disarmed on purpose for a venue maintenance window
    ARMED = "armed"


@dataclass(frozen=True, slots=True)
class DeadManView:
    phase: DeadManPhase
    why: str = ""  # OFF: "paper", "dry run", "no switch at this venue", "replay"
    timeout_s: int = 0
    refreshed_wall_ns: int | None = None  # the venue's last confirmation, by our wall clock
    failures: int = 0  # refreshes failed in a row since that confirmation
    fired_at: str = ""  # the venue's trigger time of the last firing seen ("" none)
    fired_surely: bool = True  # False: it may have fired (a refresh's answer was lost)

    def text(self, now_wall_ns: int) -> str:
        """One phrase, for the console's position pane and the STATE line."""
        if self.phase is DeadManPhase.OFF:
            return f"off ({self.why})" if self.why else "off"
        if self.phase is DeadManPhase.MAINTENANCE:
            return "disarmed for maintenance"
        maybe = "" if self.fired_surely else "may have "
        fired = (
            f"{maybe}FIRED at {clock_of(self.fired_at)} — re-armed " if self.fired_at else "armed "
        )
        if self.refreshed_wall_ns is None:
            return f"{fired}{self.timeout_s} s"
        age = max(0, (now_wall_ns - self.refreshed_wall_ns) // _NS)
        late = " (past its timeout: the venue has likely fired it)" if age > self.timeout_s else ""
        if not self.failures:
            return f"{fired}{self.timeout_s} s · refreshed {age} s ago{late}"
        return (
            f"{fired}{self.timeout_s} s · refresh FAILING ({self.failures}) · "
            f"confirmed {age} s ago{late}"
        )


def clock_of(venue_time: str) -> str:
    """``12:03:04`` of an RFC 3339 time (the venue's ``triggerTime``); other text as it is."""
    found = _CLOCK.search(venue_time)
    return found.group(1) if found else venue_time


OFF_REPLAY = DeadManView(DeadManPhase.OFF, why="replay")
