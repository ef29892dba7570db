"""Recorded Binance.us frames and REST snapshots through the live parsers, for replays.

Stream frames go through ``DepthParser`` and REST depth answers through ``parse_depth_snapshot``,
exactly as live. A ``CONNECTED`` record after the first marks a reconnection: the sink hears
DISCONNECTED then CONNECTED there, as it did live (the engine throws its books away and waits for
the fresh snapshot, which is the next REST record for that symbol). A snapshot the venue answered
badly is a VENUE_ERROR, as live, and the book keeps waiting.
"""

from __future__ import annotations

from brokers.binance_us.parse import DepthParser
from brokers.binance_us.rest import parse_depth_snapshot
from brokers.binance_us.stats import FeedStats
from brokers.recording.decoding import VenueReplay
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink, VenueError


class BinanceUsReplay(VenueReplay):
    """A ``brokers.recording.RecordDecoder`` for Binance.us depth-stream recordings."""

    __slots__ = ("_parser",)
    stats: FeedStats

    def __init__(self, sink: FeedSink) -> None:
        super().__init__(sink, FeedStats())
        self._parser = DepthParser(sink, self.stats)

    def ws_frame(self, raw: bytes, recv_ns: int) -> None:
        self._parser.parse(raw, recv_ns)

    def rest_snapshot(self, product: str, body: bytes, recv_ns: int) -> None:
        try:
            snapshot = parse_depth_snapshot(product, body, recv_ns)
        except VenueError as exc:
            self.stats.snapshot_failures += 1
            self._sink.on_feed_event(
                FeedEvent(FeedEventKind.VENUE_ERROR, str(exc), product, recv_ns)
            )
            return
        self.stats.snapshots += 1
        self._sink.on_snapshot(snapshot)

    def connected(self, recv_ns: int) -> None:
        self.new_connection(recv_ns)
