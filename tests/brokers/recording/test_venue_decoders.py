"""Each venue's replay decoder: the live parser's output, plus what the live feed itself adds."""

from __future__ import annotations

import pytest

from brokers.binance_us.replay import BinanceUsReplay
from brokers.kraken_futures.replay import KrakenFuturesReplay
from brokers.recording import RecordingError
from brokers.registry import decoder_for
from core.events import FeedEventKind
from tests.brokers.kraken_futures.conftest import RecordingSink
from tests.brokers.recording.helpers import header

DEPTH = (
    b'{"lastUpdateId":100,"bids":[["50000.00","1.5"],["49999.00","0"]],"asks":[["50001.00","2"]]}'
)
UPDATE = (
    b'{"e":"depthUpdate","E":1700000000000,"s":"BTCUSDT","U":101,"u":103,'
    b'"b":[["50000.00","1.0"]],"a":[]}'
)


def test_binance_us_snapshot_bodies_become_snapshots_as_live() -> None:
    sink = RecordingSink()
    decoder = BinanceUsReplay(sink)
    decoder.connected(1)
    decoder.rest_snapshot("BTCUSDT", DEPTH, 5)
    decoder.ws_frame(UPDATE, 6)
    (snapshot,) = sink.snapshots
    assert (snapshot.product, snapshot.seq, snapshot.recv_ns) == ("BTCUSDT", 100, 5)
    assert snapshot.bids == ((50000.0, 1.5),)  # the zero-size level is dropped, as live
    ((delta),) = sink.deltas
    assert (delta.first_seq, delta.last_seq, delta.recv_ns) == (101, 103, 6)
    counts = decoder.counts()
    assert (counts.snapshots, counts.deltas, counts.reconnects) == (1, 1, 0)


def test_binance_us_a_second_connection_is_a_reconnect() -> None:
    sink = RecordingSink()
    decoder = BinanceUsReplay(sink)
    decoder.connected(1)
    decoder.connected(9)
    kinds = [e.kind for e in sink.events]
    assert kinds == [FeedEventKind.CONNECTED, FeedEventKind.DISCONNECTED, FeedEventKind.CONNECTED]
    assert decoder.counts().reconnects == 1


def test_binance_us_a_bad_snapshot_answer_is_a_venue_error_not_a_book() -> None:
    sink = RecordingSink()
    decoder = BinanceUsReplay(sink)
    decoder.rest_snapshot("BTCUSDT", b"<html>busy</html>", 5)
    assert sink.snapshots == []
    (event,) = sink.events_of(FeedEventKind.VENUE_ERROR)
    assert event.product == "BTCUSDT"
    assert decoder.stats.snapshot_failures == 1


def test_kraken_futures_info_after_the_first_marks_a_reconnect() -> None:
    sink = RecordingSink()
    decoder = KrakenFuturesReplay(sink)
    decoder.ws_frame(b'{"event":"info","version":1}', 1)
    decoder.ws_frame(b'{"event":"error","message":"Invalid product id"}', 2)
    decoder.ws_frame(b'{"event":"info","version":1}', 3)
    decoder.ws_frame(b"not json", 4)
    kinds = [e.kind for e in sink.events]
    assert kinds == [
        FeedEventKind.CONNECTED,
        FeedEventKind.VENUE_ERROR,
        FeedEventKind.DISCONNECTED,
        FeedEventKind.CONNECTED,
        FeedEventKind.DROPPED_FRAME,
    ]
    counts = decoder.counts()
    assert (counts.reconnects, counts.venue_errors, counts.dropped) == (1, 1, 1)


def test_an_unknown_venue_cannot_be_replayed_and_says_so() -> None:
    unknown = header()
    object.__setattr__(unknown, "venue", "coinbase")
    with pytest.raises(RecordingError, match="venue 'coinbase' cannot be replayed"):
        decoder_for(unknown, RecordingSink())
