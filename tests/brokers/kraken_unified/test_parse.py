"""What the Unified parser does with frames the venue should never send: counted, never raised."""

from __future__ import annotations

import orjson

from brokers.kraken_futures.unified.checksum import book_checksum
from brokers.kraken_futures.unified.parse import UnifiedParser
from brokers.kraken_futures.unified.stats import UnifiedDrop, UnifiedFeedStats
from core.events import FeedEventKind
from tests.brokers.kraken_futures.conftest import RecordingSink

XBT = "PF_XBTUSD"
STATUS = {"channel": "status", "type": "update", "data": [{"system": "online"}]}
INSTRUMENT = {
    "channel": "instrument",
    "type": "snapshot",
    "data": {"assets": [], "pairs": [{"symbol": XBT, "price_precision": 1, "qty_precision": 4}]},
}


def _parser() -> tuple[UnifiedParser, RecordingSink, list[tuple[str, str]]]:
    sink, resyncs = RecordingSink(), []
    parser = UnifiedParser(
        sink,
        UnifiedFeedStats(),
        depth=10,
        on_resync=lambda s, r: resyncs.append((s, r)),
        on_status=lambda s: None,
    )
    for frame in (STATUS, INSTRUMENT):
        parser.parse(orjson.dumps(frame), 1)
    return parser, sink, resyncs


def _book(
    kind: str, bids: list[tuple[float, float]], asks: list[tuple[float, float]], crc: int
) -> bytes:
    item = {
        "symbol": XBT,
        "bids": [{"price": p, "qty": q} for p, q in bids],
        "asks": [{"price": p, "qty": q} for p, q in asks],
        "checksum": crc,
        "timestamp": "2026-12-04T18:00:00.123456Z",
    }
    return orjson.dumps({"channel": "book", "type": kind, "data": [item]})


def test_bad_frames_are_counted_and_reported_never_raised() -> None:
    parser, sink, _ = _parser()
    for raw in (
        b"not json",
        b"[1, 2]",
        b'{"channel": "book", "type": "update", "data": "x"}',
        b'{"channel": "book", "type": "update", "data": [{"symbol": "PF_XBTUSD"}]}',
        b'{"channel": "book", "type": "update", "data": [{"symbol": "PF_XBTUSD", "checksum": 1,'
        b' "bids": [{"price": -1, "qty": 1}]}]}',
        b'{"channel": "status", "type": "update", "data": []}',
    ):
        assert parser.parse(raw, 2) is None
    stats = parser.stats
    assert stats.dropped == {UnifiedDrop.INVALID_JSON: 1, UnifiedDrop.BAD_SCHEMA: 5}
    assert len([e for e in sink.events if e.kind is FeedEventKind.DROPPED_FRAME]) == 6
    assert not sink.snapshots and not sink.deltas


def test_unknown_channels_and_systems_are_counted_replies_handed_back() -> None:
    parser, _, _ = _parser()
    parser.parse(b'{"channel": "ticker", "type": "update", "data": []}', 2)
    parser.parse(b'{"channel": "status", "type": "update", "data": [{"system": "asleep"}]}', 2)
    reply = parser.parse(b'{"method": "pong", "req_id": 4}', 2)
    assert reply == {"method": "pong", "req_id": 4}
    assert parser.stats.unknown == {"channel:ticker": 1, "system:asleep": 1}
    assert not parser.online


def test_a_verified_snapshot_and_update_reach_the_sink_a_wrong_one_does_not() -> None:
    parser, sink, resyncs = _parser()
    bids, asks = [(100.0, 1.0), (99.5, 2.0)], [(100.5, 3.0)]
    parser.parse(_book("snapshot", bids, asks, book_checksum(asks, bids, 1, 4)), 3)
    assert sink.snapshots[0].bids == ((100.0, 1.0), (99.5, 2.0))
    assert sink.snapshots[0].venue_ts_ns == 1_796_407_200_123_456_000
    after = [(100.0, 1.5), (99.5, 2.0)]
    parser.parse(_book("update", [(100.0, 1.5)], [], book_checksum(asks, after, 1, 4)), 4)
    assert sink.deltas[-1].bids == ((100.0, 1.5),)
    assert sink.deltas[-1].first_seq == sink.snapshots[0].seq + 1
    parser.parse(_book("update", [(100.0, 1.6)], [], 12345), 5)
    marker = sink.deltas[-1]
    assert marker.bids == marker.asks == ()  # the "book broken" marker: a skipped number
    assert marker.first_seq == sink.deltas[-2].last_seq + 2
    assert resyncs == [(XBT, "checksum mismatch")]
    parser.parse(_book("update", [(100.0, 1.7)], [], 0), 6)
    assert parser.stats.dropped == {UnifiedDrop.RESYNCING: 1}


class LevelSink(RecordingSink):
    """A sink with ``on_level`` (as the engine has): one-level updates arrive without a delta."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[tuple[object, ...]] = []

    def on_level(self, *level: object) -> None:
        self.levels.append(level)


def test_one_level_updates_go_to_on_level_others_as_a_delta_with_the_cut_levels() -> None:
    sink = LevelSink()
    parser = UnifiedParser(
        sink, UnifiedFeedStats(), depth=10, on_resync=lambda s, r: None, on_status=lambda s: None
    )
    for frame in (STATUS, INSTRUMENT):
        parser.parse(orjson.dumps(frame), 1)
    bids = [(100.0 - k, 1.0) for k in range(10)]
    asks = [(101.0, 1.0)]
    parser.parse(_book("snapshot", bids, asks, book_checksum(asks, bids, 1, 4)), 2)
    after = [(100.0, 2.0), *bids[1:]]
    parser.parse(_book("update", [(100.0, 2.0)], [], book_checksum(asks, after, 1, 4)), 3)
    seq = sink.snapshots[0].seq + 1
    assert sink.levels == [(XBT, seq, True, 100.0, 2.0, 1_796_407_200_123_456_000, 3)]
    # An 11th bid at depth 10: the worst one is cut, and the core book is told to delete it.
    inserted = sorted([*after, (99.5, 1.0)], reverse=True)[:10]
    parser.parse(_book("update", [(99.5, 1.0)], [], book_checksum(asks, inserted, 1, 4)), 4)
    assert sink.deltas[-1].bids == ((99.5, 1.0), (91.0, 0.0))
    assert parser.stats.checksums_verified == 3 and parser.stats.checksum_mismatches == 0


def test_a_book_message_the_typed_decoder_refuses_is_read_by_the_general_path() -> None:
    parser, sink, _ = _parser()
    bids, asks = [(100.0, 1.0)], [(100.5, 3.0)]
    crc = book_checksum(asks, bids, 1, 4)
    frame = _book("snapshot", bids, asks, crc).replace(b'"price":100.0', b'"price":"100.0"')
    parser.parse(frame, 2)  # a price as a JSON string: not the docs' shape, read as before
    assert sink.snapshots[-1].bids == ((100.0, 1.0),)
    naive = _book("snapshot", bids, asks, crc).replace(b"123456Z", b"123456")
    parser.parse(naive, 3)  # a time without its offset: no venue time, not a crash
    assert sink.snapshots[-1].venue_ts_ns == 0
    assert parser.stats.dropped == {}


def test_the_benchmarks_synthetic_unified_frames_all_verify() -> None:
    from brokers.kraken_futures.unified.bench_frames import synthetic_frames  # noqa: PLC0415

    sink = LevelSink()
    parser = UnifiedParser(
        sink, UnifiedFeedStats(), depth=25, on_resync=lambda s, r: None, on_status=lambda s: None
    )
    frames = synthetic_frames(3_000, (XBT,), seed=3)
    for frame in frames:
        parser.parse(frame, 1)
    stats = parser.stats
    assert stats.snapshots == 1 and stats.updates == len(frames) - 3
    assert stats.checksums_verified == len(frames) - 2 and stats.checksum_mismatches == 0
    assert len(sink.levels) + len(sink.deltas) == stats.updates


def test_a_precision_changed_by_an_instrument_update_keeps_the_book_verified() -> None:
    parser, sink, resyncs = _parser()
    bids, asks = [(100.0, 1.0), (99.5, 2.0)], [(100.5, 3.0)]
    parser.parse(_book("snapshot", bids, asks, book_checksum(asks, bids, 1, 4)), 3)
    finer = {
        "channel": "instrument",
        "type": "update",
        "data": {"pairs": [{"symbol": XBT, "price_precision": 2, "qty_precision": 5}]},
    }
    parser.parse(orjson.dumps(finer), 4)
    bids = [(100.0, 1.5), (99.5, 2.0)]  # the next message's checksum is at the new precisions
    parser.parse(_book("update", [(100.0, 1.5)], [], book_checksum(asks, bids, 2, 5)), 5)
    assert parser.stats.checksum_mismatches == 0 and not resyncs
    assert sink.deltas[-1].bids == ((100.0, 1.5),)
