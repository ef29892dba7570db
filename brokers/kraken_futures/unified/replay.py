"""Recorded Unified frames through the live ``UnifiedParser``, for replays.

Book messages reach the sink as they did live (checksums verified again, the same drops). Each
``CONNECTED`` marker the recorder wrote is a new connection: the parser forgets its books (as
live) and the sink hears DISCONNECTED then CONNECTED. A resync the replaying engine asks for
needs no request: the venue's fresh snapshot is in the recording.
"""

from __future__ import annotations

from brokers.kraken_futures.unified.parse import UnifiedParser
from brokers.kraken_futures.unified.stats import UnifiedFeedStats
from brokers.recording.decoding import VenueReplay
from core.ports import FeedSink

RECORDED_DEPTH = 25  # the live feed's subscription depth (``KrakenUnifiedFeed`` default)


class KrakenUnifiedReplay(VenueReplay):
    """A ``brokers.recording.RecordDecoder`` for Kraken Unified WebSocket recordings."""

    __slots__ = ("_parser",)
    stats: UnifiedFeedStats

    def __init__(self, sink: FeedSink, *, depth: int = RECORDED_DEPTH) -> None:
        super().__init__(sink, UnifiedFeedStats())
        self._parser = UnifiedParser(
            sink, self.stats, depth=depth, on_resync=_ignore_resync, on_status=_ignore_status
        )

    def ws_frame(self, raw: bytes, recv_ns: int) -> None:
        self._parser.parse(raw, recv_ns)

    def rest_snapshot(self, product: str, body: bytes, recv_ns: int) -> None:
        self.stats.unknown["rest_snapshot"] = self.stats.unknown.get("rest_snapshot", 0) + 1

    def connected(self, recv_ns: int) -> None:
        self._parser.reset()
        self.new_connection(recv_ns)

    def heartbeats(self) -> int:
        return self.stats.heartbeats


def _ignore_resync(symbol: str, reason: str) -> None:
    """Live, a resync resubscribes; the recording already holds what came back."""


def _ignore_status(system: str) -> None:
    """Live, back ``online`` resyncs every symbol; the recording holds the new snapshots."""
