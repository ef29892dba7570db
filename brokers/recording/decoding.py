"""Recorded frames back into core events, through each venue's real parser.

``RecordDecoder`` is what a venue adapter provides for replays: it takes recorded WebSocket
frames (and REST snapshots) with their recorded receive time and calls the sink exactly as its
live feed would. ``brokers.registry.decoder_for`` picks the venue named in the recording's header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from brokers.recording.format import Record, RecordKind


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


def feed_record(decoder: RecordDecoder, record: Record) -> None:
    """Hand one record to ``decoder`` (the replay loop inlines this for speed)."""
    kind = record.kind
    if kind is RecordKind.REST_SNAPSHOT:
        decoder.rest_snapshot(record.tag, record.payload, record.recv_ns)
    elif kind is RecordKind.CONNECTED:
        decoder.connected(record.recv_ns)
    else:
        decoder.ws_frame(record.payload, record.recv_ns)
