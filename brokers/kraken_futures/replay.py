"""Recorded Kraken Futures frames through the live ``FrameParser``, for replays.

Book frames reach the sink exactly as they did live (same parser, same drops). Control frames
are handled like the live feed handles them, minus the socket: each ``{"event":"info"}`` after
the first one marks a reconnection, so the sink hears DISCONNECTED then CONNECTED there (live,
nothing reaches the book between the two); venue errors become VENUE_ERROR events. A resync the
replaying engine asks for needs no request: the venue's fresh snapshot is in the recording.
"""

from __future__ import annotations

from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.stats import FeedStats
from brokers.kraken_futures.wire import (
    EVENT_ALERT,
    EVENT_ERROR,
    EVENT_INFO,
    EVENT_SUBSCRIBED,
    EVENT_SUBSCRIBED_FAILED,
    EVENT_UNSUBSCRIBED,
    EVENT_UNSUBSCRIBED_FAILED,
    FEED_BOOK,
    Frame,
)
from brokers.recording.decoding import DecodeCounts
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

_VENUE_ERRORS = frozenset(
    {EVENT_ERROR, EVENT_ALERT, EVENT_SUBSCRIBED_FAILED, EVENT_UNSUBSCRIBED_FAILED}
)
RECONNECTED = "reconnected (recorded)"


class KrakenFuturesReplay:
    """A ``brokers.recording.RecordDecoder`` for Kraken Futures WebSocket v1 recordings."""

    __slots__ = ("_connections", "_parser", "_sink", "stats")

    def __init__(self, sink: FeedSink) -> None:
        self._sink = sink
        self.stats = FeedStats()
        self._parser = FrameParser(sink, self.stats)
        self._connections = 0

    def ws_frame(self, raw: bytes, recv_ns: int) -> None:
        frame = self._parser.parse(raw, recv_ns)
        if frame is not None:
            self._control(frame, recv_ns)

    def rest_snapshot(self, product: str, body: bytes, recv_ns: int) -> None:
        self._parser.count_unknown("rest_snapshot")  # Kraken Futures books come over the socket

    def connected(self, recv_ns: int) -> None:
        """Kraken Futures greets every connection with ``info``: that frame marks it."""

    def counts(self) -> DecodeCounts:
        stats = self.stats
        return DecodeCounts(
            frames=stats.frames,
            snapshots=stats.snapshots,
            deltas=stats.deltas,
            heartbeats=stats.heartbeats,
            dropped=stats.dropped_total,
            reconnects=max(0, self._connections - 1),
            venue_errors=stats.venue_errors,
        )

    def _control(self, frame: Frame, recv_ns: int) -> None:
        event = frame.event
        sink = self._sink
        if event == EVENT_INFO:
            if self._connections:
                sink.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, RECONNECTED))
            self._connections += 1
            sink.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, "recording", recv_ns=recv_ns))
        elif event == EVENT_SUBSCRIBED:
            products = [self._parser.product(p) for p in frame.product_ids or ()]
            if frame.feed == FEED_BOOK:
                for product in products:
                    sink.on_feed_event(
                        FeedEvent(FeedEventKind.SUBSCRIBED, FEED_BOOK, product, recv_ns)
                    )
            else:
                sink.on_feed_event(FeedEvent(FeedEventKind.SUBSCRIBED, frame.feed, "", recv_ns))
        elif event in _VENUE_ERRORS:
            self.stats.venue_errors += 1
            detail = f"{event}: {frame.message or frame.feed or 'no message'}"
            products = [self._parser.product(p) for p in frame.product_ids or ()] or [""]
            for product in products:
                sink.on_feed_event(FeedEvent(FeedEventKind.VENUE_ERROR, detail, product, recv_ns))
        elif event != EVENT_UNSUBSCRIBED:
            self._parser.count_unknown(f"event:{event}")
