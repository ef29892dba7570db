"""Recorded Kraken Futures frames through the live ``FrameParser``, for replays.

Book frames reach the sink exactly as they did live (same parser, same drops). Control frames
are handled like the live feed handles them, minus the socket: each ``{"event":"info"}`` after
the first one marks a reconnection, so the sink hears DISCONNECTED then CONNECTED there (live,
nothing reaches the book between the two); venue errors become VENUE_ERROR events. A resync the
replaying engine asks for needs no request: the venue's fresh snapshot is in the recording.
"""

from __future__ import annotations

from brokers.kraken_futures.control import control_events
from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.stats import FeedStats
from brokers.kraken_futures.wire import EVENT_INFO, Frame
from brokers.recording.decoding import VenueReplay
from core.ports import FeedSink


class KrakenFuturesReplay(VenueReplay):
    """A ``brokers.recording.RecordDecoder`` for Kraken Futures WebSocket v1 recordings."""

    __slots__ = ("_parser",)
    stats: FeedStats

    def __init__(self, sink: FeedSink) -> None:
        super().__init__(sink, FeedStats())
        self._parser = FrameParser(sink, self.stats)

    def ws_frame(self, raw: bytes, recv_ns: int) -> None:
        frame = self._parser.parse(raw, recv_ns)
        if frame is not None:
            self._control(frame, recv_ns)

    def rest_snapshot(self, product: str, body: bytes, recv_ns: int) -> None:
        self._parser.count_unknown("rest_snapshot")  # Kraken Futures books come over the socket

    def connected(self, recv_ns: int) -> None:
        """Kraken Futures greets every connection with ``info``: that frame marks it."""

    def heartbeats(self) -> int:
        return self.stats.heartbeats

    def _control(self, frame: Frame, recv_ns: int) -> None:
        if frame.event == EVENT_INFO:
            self.new_connection(recv_ns)
        else:
            control_events(frame, self._parser, self._sink, self.stats, recv_ns)
