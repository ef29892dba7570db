"""Counters of what a Binance.us feed received, dropped and did: cheap to bump, easy to read."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class DropReason(Enum):
    """Why a frame was thrown away instead of reaching the book."""

    INVALID_JSON = "invalid_json"
    BAD_SCHEMA = "bad_schema"  # JSON, but not the shape and types of a stream frame
    BAD_VALUE = "bad_value"  # right shape, impossible content (u < U, negative size, …)


@dataclass(slots=True)
class FeedStats:
    """Live counters, bumped by the feed. Read them through ``copy()`` for a stable picture."""

    frames: int = 0
    deltas: int = 0
    snapshots: int = 0
    snapshot_failures: int = 0
    rate_limited: int = 0  # snapshot fetches held back by a 429/418
    resyncs: int = 0  # fresh snapshots asked for by the book (gap, crossed book)
    connects: int = 0
    reconnects: int = 0
    silent_disconnects: int = 0  # closed by us: no pong in time
    pongs: int = 0
    venue_errors: int = 0
    dropped: dict[DropReason, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def copy(self) -> FeedStats:
        return replace(self, dropped=dict(self.dropped), unknown=dict(self.unknown))
