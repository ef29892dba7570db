"""Recorded frames back into core events, through each venue's real parser.

``RecordDecoder`` is what a venue adapter provides for replays: it takes recorded WebSocket
frames (and REST snapshots) with their recorded receive time and calls the sink exactly as its
live feed would. ``brokers.registry.decoder_for`` picks the venue named in the recording's header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from brokers.recording.format import Record, RecordKind
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

RECONNECTED = "reconnected (recorded)"


@dataclass(frozen=True, slots=True)
class DecodeCounts:
    """What the venue parser made of a recording."""

    frames: int
    snapshots: int
    deltas: int
    heartbeats: int
    dropped: int  # malformed frames, counted by the parser as it would live
    reconnects: int  # connections after the first one seen in the recording
    venue_errors: int


class RecordDecoder(Protocol):
    def ws_frame(self, raw: bytes, recv_ns: int) -> None: ...

    def rest_snapshot(self, product: str, body: bytes, recv_ns: int) -> None: ...

    def connected(self, recv_ns: int) -> None:
        """A ``CONNECTED`` marker: the live feed opened a new connection here."""
        ...

    def counts(self) -> DecodeCounts: ...


class FeedCounters(Protocol):
    """The live parser's counters a replay reports (``DecodeCounts``)."""

    frames: int
    snapshots: int
    deltas: int
    venue_errors: int

    @property
    def dropped_total(self) -> int: ...


class VenueReplay:
    """What every venue's ``RecordDecoder`` shares: the sink, the live parser's counters, and the
    connections the recording saw. Each connection after the first is a reconnection: the sink
    hears DISCONNECTED then CONNECTED there, as it did live (nothing reaches the book between)."""

    __slots__ = ("_connections", "_sink", "stats")

    def __init__(self, sink: FeedSink, stats: FeedCounters) -> None:
        self._sink = sink
        self.stats = stats
        self._connections = 0

    def new_connection(self, recv_ns: int) -> None:
        if self._connections:
            self._sink.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, RECONNECTED))
        self._connections += 1
        self._sink.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, "recording", recv_ns=recv_ns))

    def heartbeats(self) -> int:
        """Heartbeat frames the parser counted (a venue whose keep-alive is pings has none)."""
        return 0

    def counts(self) -> DecodeCounts:
        stats = self.stats
        return DecodeCounts(
            frames=stats.frames,
            snapshots=stats.snapshots,
            deltas=stats.deltas,
            heartbeats=self.heartbeats(),
            dropped=stats.dropped_total,
            reconnects=max(0, self._connections - 1),
            venue_errors=stats.venue_errors,
        )


def feed_record(decoder: RecordDecoder, record: Record) -> None:
    """Hand one record to ``decoder`` (the replay loop inlines this for speed)."""
    kind = record.kind
    if kind is RecordKind.REST_SNAPSHOT:
        decoder.rest_snapshot(record.tag, record.payload, record.recv_ns)
    elif kind is RecordKind.CONNECTED:
        decoder.connected(record.recv_ns)
    else:
        decoder.ws_frame(record.payload, record.recv_ns)
