"""What a feed's parser does with a frame it cannot use: count it, say so, tell the sink.

Every drop is counted by reason (``stats.dropped``) and reported to the sink as a
``FeedEvent(DROPPED_FRAME)``. The log hears the first drop of each kind at once, then at most
one summary line per interval (a venue sending garbage must not flood the log). Frames of feeds
and events nobody asked for are counted in ``stats.unknown`` and logged once per kind.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Protocol

from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

DROP_LOG_INTERVAL_NS = 60 * 1_000_000_000
EXCERPT_CHARS = 160


class DropCounters(Protocol):
    dropped: dict
    unknown: dict[str, int]


def excerpt(raw: bytes | str) -> str:
    """The start of a raw frame, fit for a log line."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else str(raw)
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


class FrameDrops:
    """Drops and unknown frames of one parser. ``log`` is the parser's own logger."""

    __slots__ = ("_interval_ns", "_log", "_next_ns", "_sink", "_stats", "_suppressed", "_venue")

    def __init__(
        self,
        venue: str,
        log: logging.Logger,
        stats: DropCounters,
        sink: FeedSink,
        *,
        interval_ns: int = DROP_LOG_INTERVAL_NS,
    ) -> None:
        self._venue = venue
        self._log = log
        self._stats = stats
        self._sink = sink
        self._interval_ns = interval_ns
        self._next_ns: dict[Enum, int] = {}
        self._suppressed: dict[Enum, int] = {}

    def drop(self, reason: Enum, detail: str, recv_ns: int) -> None:
        dropped = self._stats.dropped
        dropped[reason] = dropped.get(reason, 0) + 1
        self._note(reason, detail, recv_ns)
        self._sink.on_feed_event(
            FeedEvent(FeedEventKind.DROPPED_FRAME, f"{reason.value}: {detail}", recv_ns=recv_ns)
        )

    def unknown(self, key: str) -> None:
        unknown = self._stats.unknown
        if key not in unknown:
            self._log.info("%s: ignoring unknown %s", self._venue, key)
        unknown[key] = unknown.get(key, 0) + 1

    def _note(self, reason: Enum, detail: str, now_ns: int) -> None:
        due = self._next_ns.get(reason)
        if due is not None and now_ns < due:
            self._suppressed[reason] = self._suppressed.get(reason, 0) + 1
            return
        more = self._suppressed.pop(reason, 0)
        tail = f" ({more} more {reason.value} frames dropped since the last report)" if more else ""
        self._log.warning("%s: dropped a %s frame: %s%s", self._venue, reason.value, detail, tail)
        self._next_ns[reason] = now_ns + self._interval_ns
