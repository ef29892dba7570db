"""Counters of what a Unified public feed received, verified, dropped and did."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class UnifiedDrop(Enum):
    """Why a frame (or a book message) did not reach the book."""

    INVALID_JSON = "invalid_json"
    BAD_SCHEMA = "bad_schema"  # JSON, but not the shape the docs give
    NO_INSTRUMENT = "no_instrument"  # a book message before its precision was known
    RESYNCING = "resyncing"  # an update for a symbol waiting for its new snapshot
    NOT_ONLINE = "not_online"  # book messages while the venue's system is not online


@dataclass(slots=True)
class UnifiedFeedStats:
    """Live counters, bumped by the feed; read them through ``copy()``."""

    frames: int = 0
    snapshots: int = 0
    updates: int = 0  # snapshots and updates counted here are all checked against the checksum
    checksum_mismatches: int = 0
    heartbeats: int = 0
    replies: int = 0
    venue_errors: int = 0
    status_changes: int = 0
    connects: int = 0
    reconnects: int = 0
    silent_disconnects: int = 0
    resyncs: int = 0  # symbols resubscribed
    resyncs_deferred: int = 0  # resync requests held back by the per-symbol rate limit
    dropped: dict[UnifiedDrop, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)  # "channel:ticker", "system:foo"

    @property
    def checksums_verified(self) -> int:
        """Book messages whose checksum matched (every counted one is checked)."""
        return self.snapshots + self.updates - self.checksum_mismatches

    @property
    def deltas(self) -> int:
        """Book updates (the name replays and the benchmark read)."""
        return self.updates

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def copy(self) -> UnifiedFeedStats:
        return replace(self, dropped=dict(self.dropped), unknown=dict(self.unknown))
