"""What the notifier can tell the trader, and which of it ``NOTIFY_EVENTS`` asks for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class NotifyEvent(Enum):
    """One kind of message; ``NOTIFY_EVENTS`` names them (``all``, ``default`` or a list)."""

    RUN = "run"  # started (and whether the last run crashed), stopped, a start that failed
    KILL_SWITCH = "kill_switch"  # engaged; flat confirmed, or what is still open
    KILL_SWITCH_TEST = "kill_switch_test"  # last tested over 30 days ago (start, then daily)
    DEAD_MAN = "dead_man"  # the venue's dead-man's switch could not be refreshed
    RISK_LIMIT = "risk_limit"  # a risk limit stopped entries for the rest of the day
    BOOK_DOWN = "book_down"  # the book not LIVE for longer than its grace time, and back
    RECONCILE = "reconcile"  # a live start's reconciliation with the venue
    REFUSAL = "refusal"  # an order the venue refused (or did not answer)
    ROUND_TRIP = "round_trip"  # every round trip (off by default)
    DAILY = "daily"  # the short report at 00:00 UTC
    WEEKLY = "weekly"  # the weekly one, Monday 00:00 UTC
    GATE = "gate"  # the promotion gate reached or lost
    MAINTENANCE = "maintenance"  # venue maintenance ahead: entries stopped, switch held; over


DEFAULT_EVENTS = frozenset(NotifyEvent) - {NotifyEvent.ROUND_TRIP}


def parse_events(text: str) -> frozenset[NotifyEvent]:
    """``default`` (all but round trips), ``all``, or names separated by commas; ValueError
    naming the unknown one otherwise."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    chosen: set[NotifyEvent] = set()
    for name in names or ["default"]:
        if name == "default":
            chosen |= DEFAULT_EVENTS
        elif name == "all":
            chosen |= set(NotifyEvent)
        else:
            try:
                chosen.add(NotifyEvent(name))
            except ValueError:
                known = ", ".join(e.value for e in NotifyEvent)
                raise ValueError(
                    f"unknown event {name!r}: choose default, all or {known}"
                ) from None
    return frozenset(chosen)


@dataclass(frozen=True, slots=True)
class Notification:
    """One message: ``title`` is a short line, ``body`` may hold a few more."""

    event: NotifyEvent
    title: str
    body: str = ""
    wall_ns: int = 0
