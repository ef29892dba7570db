"""Recorded frames back into core events, through each venue's real parser.

``RecordDecoder`` is what a venue adapter provides for replays: it takes recorded WebSocket
frames (and REST snapshots) with their recorded receive time and calls the sink exactly as its
live feed would. ``decoder_for`` picks the adapter named in the recording's header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from brokers.recording.format import Record, RecordingError, RecordingHeader, RecordKind
from core.ports import FeedSink


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


DecoderFactory = Callable[[FeedSink], RecordDecoder]


def decoder_for(header: RecordingHeader, sink: FeedSink) -> RecordDecoder:
    """The replay decoder of the recording's venue, delivering to ``sink``."""
    factory = _FACTORIES.get(header.venue)
    if factory is None:
        raise RecordingError(
            f"recordings of venue {header.venue!r} cannot be replayed by this l2console"
        )
    return factory()(sink)


def feed_record(decoder: RecordDecoder, record: Record) -> None:
    """Hand one record to ``decoder`` (the replay loop inlines this for speed)."""
    kind = record.kind
    if kind is RecordKind.REST_SNAPSHOT:
        decoder.rest_snapshot(record.tag, record.payload, record.recv_ns)
    elif kind is RecordKind.CONNECTED:
        decoder.connected(record.recv_ns)
    else:
        decoder.ws_frame(record.payload, record.recv_ns)


def _kraken_futures() -> DecoderFactory:
    from brokers.kraken_futures.replay import KrakenFuturesReplay  # noqa: PLC0415 - lazy venue

    return KrakenFuturesReplay


def _binance_us() -> DecoderFactory:
    from brokers.binance_us.replay import BinanceUsReplay  # noqa: PLC0415 - lazy venue

    return BinanceUsReplay


_FACTORIES: dict[str, Callable[[], DecoderFactory]] = {
    "kraken_futures": _kraken_futures,
    "binance_us": _binance_us,
}
