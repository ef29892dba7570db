"""Counters of what a Kraken Futures feed received, dropped and did: cheap to bump, easy to read."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class DropReason(Enum):
    """Why a frame was thrown away instead of reaching the book."""

    INVALID_JSON = "invalid_json"  # not JSON at all (or not UTF-8)
    BAD_SCHEMA = "bad_schema"  # JSON, but not an object of the expected shape and types
    BAD_VALUE = "bad_value"  # right shape, impossible content (negative size, unknown side, …)


@dataclass(slots=True)
class FeedStats:
    """Live counters, bumped by the feed. Read them through ``copy()`` for a stable picture."""

    frames: int = 0  # every frame received, good or bad
    snapshots: int = 0
    deltas: int = 0
    heartbeats: int = 0
    events: int = 0  # info/subscribed/unsubscribed/error/… frames
    venue_errors: int = 0  # error, alert, subscribed_failed, unsubscribed_failed
    connects: int = 0  # connections opened (the first one included)
    reconnects: int = 0  # connections opened after a lost one
    silent_disconnects: int = 0  # connections closed by us because nothing arrived in time
    resyncs: int = 0  # products resubscribed on request
    dropped: dict[DropReason, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)  # "feed:ticker", "event:foo"

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def copy(self) -> FeedStats:
        return replace(self, dropped=dict(self.dropped), unknown=dict(self.unknown))
