"""Frames → core events: every kind, and every bad frame counted, never raised."""

from __future__ import annotations

import json
import logging

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.stats import DropReason
from core.events import BookDelta, FeedEventKind, level_delta
from tests.brokers.kraken_futures.conftest import RecordingSink, fixture_bytes

RECV_NS = 123_456_789


def parser_and_sink() -> tuple[FrameParser, RecordingSink]:
    sink = RecordingSink()
    return FrameParser(sink), sink


def docs_frames() -> list[bytes]:
    return [line for line in fixture_bytes("ws_frames.jsonl").splitlines() if line]


def test_book_delta_from_the_docs_becomes_one_single_level_delta() -> None:
    parser, sink = parser_and_sink()
    assert parser.parse(docs_frames()[3], RECV_NS) is None
    (delta,) = sink.deltas
    assert delta.product == "PI_XBTUSD"
    assert delta.first_seq == delta.last_seq == 326094134
    assert delta.bids == ()
    assert delta.asks == ((34981.0, 0.0),)  # size 0: delete the level
    assert delta.venue_ts_ns == 1612269953629 * 1_000_000
    assert delta.recv_ns == RECV_NS
    assert parser.stats.deltas == 1


def test_buy_delta_goes_to_bids_and_product_ids_come_out_upper_case() -> None:
    parser, sink = parser_and_sink()
    frame = (
        b'{"feed":"book","product_id":"pf_xbtusd","side":"buy","seq":7,"price":43500.5,'
        b'"qty":1.25,"timestamp":1700000000000}'
    )
    parser.parse(frame, RECV_NS)
    (delta,) = sink.deltas
    assert (delta.product, delta.bids, delta.asks) == ("PF_XBTUSD", ((43500.5, 1.25),), ())


class LevelRecordingSink(RecordingSink):
    """A ``LevelSink``: takes one-level changes as the engine does; keeps them as deltas."""

    def __init__(self) -> None:
        super().__init__()
        self.levels = 0

    def on_level(self, *level: object) -> None:
        self.levels += 1
        self.deltas.append(level_delta(*level))  # type: ignore[arg-type]

    def on_delta(self, delta: BookDelta) -> None:
        raise AssertionError(f"a level sink was handed a BookDelta: {delta}")


def test_a_level_sink_gets_each_book_frame_as_one_level_exactly_as_a_delta_sink_gets_it() -> None:
    frames = [
        *docs_frames(),
        b'{"feed":"book","product_id":"pf_xbtusd","side":"buy","seq":7,"price":43500.5,'
        b'"qty":1.25,"timestamp":1700000000000}',
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"sell","seq":8,"price":43501,"qty":0}',
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"sideways","seq":9,"price":1,"qty":1}',
    ]
    delta_parser, delta_sink = parser_and_sink()
    level_sink = LevelRecordingSink()
    level_parser = FrameParser(level_sink)
    for raw in frames:
        delta_parser.parse(raw, RECV_NS)
        level_parser.parse(raw, RECV_NS)
    assert level_sink.deltas == delta_sink.deltas
    assert level_sink.levels == len(level_sink.deltas) == level_parser.stats.deltas >= 3
    assert level_sink.snapshots == delta_sink.snapshots != []
    assert level_parser.stats == delta_parser.stats


def test_snapshot_from_the_docs_keeps_levels_best_first() -> None:
    parser, sink = parser_and_sink()
    parser.parse(docs_frames()[2], RECV_NS)
    (snapshot,) = sink.snapshots
    assert snapshot.product == "PI_XBTUSD"
    assert snapshot.seq == 326072249
    assert snapshot.bids == ((34892.5, 6385.0), (34892.0, 10924.0))
    assert snapshot.asks == ((34911.5, 20598.0), (34912.0, 2300.0))
    assert snapshot.venue_ts_ns == 1612269825817 * 1_000_000
    assert snapshot.recv_ns == RECV_NS


def test_snapshot_levels_sent_out_of_order_are_sorted_and_empty_levels_skipped() -> None:
    parser, sink = parser_and_sink()
    frame = {
        "feed": "book_snapshot",
        "product_id": "PF_ETHUSD",
        "timestamp": 1,
        "seq": 5,
        "bids": [{"price": 99, "qty": 1}, {"price": 100, "qty": 2}, {"price": 98, "qty": 0}],
        "asks": [{"price": 102, "qty": 1}, {"price": 101, "qty": 3}],
    }
    parser.parse(orjson.dumps(frame), RECV_NS)
    (snapshot,) = sink.snapshots
    assert snapshot.bids == ((100.0, 2.0), (99.0, 1.0))
    assert snapshot.asks == ((101.0, 3.0), (102.0, 1.0))


def test_heartbeat_is_counted_and_reported() -> None:
    parser, sink = parser_and_sink()
    parser.parse(docs_frames()[4], RECV_NS)
    assert parser.stats.heartbeats == 1
    (event,) = sink.events_of(FeedEventKind.HEARTBEAT)
    assert event.detail == "1534262350627"


@pytest.mark.parametrize("index", [0, 1, 5])
def test_event_frames_are_handed_back_to_the_connection(index: int) -> None:
    parser, sink = parser_and_sink()
    frame = parser.parse(docs_frames()[index], RECV_NS)
    assert frame is not None and frame.event in ("info", "subscribed", "error")
    assert sink.deltas == sink.snapshots == sink.events == []
    assert parser.stats.events == 1


def test_unknown_fields_are_ignored() -> None:
    parser, sink = parser_and_sink()
    frame = (
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"sell","seq":9,"price":1.5,"qty":2,'
        b'"timestamp":3,"new_field":{"x":[1,2]},"other":null}'
    )
    parser.parse(frame, RECV_NS)
    assert len(sink.deltas) == 1
    assert parser.stats.dropped_total == 0


def test_unknown_feed_is_counted_not_dropped() -> None:
    parser, sink = parser_and_sink()
    parser.parse(b'{"feed":"ticker","product_id":"PF_XBTUSD","bid":1.0}', RECV_NS)
    parser.parse(b'{"feed":"ticker","product_id":"PF_XBTUSD","bid":2.0}', RECV_NS)
    assert parser.stats.unknown == {"feed:ticker": 2}
    assert parser.stats.dropped_total == 0
    assert sink.deltas == sink.snapshots == sink.events == []


BAD_FRAMES = [
    (b"", DropReason.INVALID_JSON),
    (b"{not json", DropReason.INVALID_JSON),
    (b"\xff\xfe\x00", DropReason.INVALID_JSON),
    (b'{"feed":"bo\xffok"}', DropReason.INVALID_JSON),  # bad UTF-8 inside a string
    (b"[1,2,3]", DropReason.BAD_SCHEMA),
    (b'"book"', DropReason.BAD_SCHEMA),
    (
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":"7","price":1,"qty":1}',
        DropReason.BAD_SCHEMA,
    ),
    (
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":7,"price":1e999,"qty":1}',
        DropReason.BAD_SCHEMA,
    ),
    (
        b'{"feed":"book_snapshot","product_id":"PF_XBTUSD","seq":1,"bids":[[1,2]],"asks":[]}',
        DropReason.BAD_SCHEMA,
    ),
    (
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"up","seq":7,"price":1,"qty":1}',
        DropReason.BAD_VALUE,
    ),
    (
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":7,"price":1,"qty":-1}',
        DropReason.BAD_VALUE,
    ),
    (
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":7,"price":0,"qty":1}',
        DropReason.BAD_VALUE,
    ),
    (
        b'{"feed":"book","product_id":"PF_XBTUSD","side":"buy","price":10,"qty":1}',
        DropReason.BAD_VALUE,
    ),  # no seq
    (b'{"feed":"book","side":"buy","seq":7,"price":10,"qty":1}', DropReason.BAD_VALUE),
    (
        b'{"feed":"book_snapshot","product_id":"PF_XBTUSD","seq":1,'
        b'"bids":[{"price":-5,"qty":1}],"asks":[]}',
        DropReason.BAD_VALUE,
    ),
]


@pytest.mark.parametrize(("raw", "reason"), BAD_FRAMES)
def test_a_malformed_frame_is_counted_reported_and_never_raised(
    raw: bytes, reason: DropReason
) -> None:
    parser, sink = parser_and_sink()
    assert parser.parse(raw, RECV_NS) is None
    assert parser.stats.dropped == {reason: 1}
    assert sink.deltas == sink.snapshots == []
    (event,) = sink.events_of(FeedEventKind.DROPPED_FRAME)
    assert event.detail.startswith(reason.value)
    assert event.recv_ns == RECV_NS


def test_drops_are_logged_once_per_kind_then_summarised_after_the_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = RecordingSink()
    parser = FrameParser(sink, drop_log_interval_ns=1_000)
    with caplog.at_level(logging.WARNING, logger="brokers.kraken_futures.parse"):
        for i in range(50):
            parser.parse(b"{broken", i)  # all within the interval
        parser.parse(b"[]", 10)  # another kind: logged at once
        parser.parse(b"{broken", 2_000)  # after the interval: one line with the count
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert "invalid_json" in lines[0] and "more" not in lines[0]
    assert "bad_schema" in lines[1]
    assert "49 more invalid_json frames" in lines[2]
    assert parser.stats.dropped == {DropReason.INVALID_JSON: 51, DropReason.BAD_SCHEMA: 1}
    assert len(sink.events_of(FeedEventKind.DROPPED_FRAME)) == 52


GOOD_DELTA = {
    "feed": "book",
    "product_id": "PF_XBTUSD",
    "side": "buy",
    "seq": 1,
    "price": 100.5,
    "qty": 2.0,
    "timestamp": 1_700_000_000_000,
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(
    mutations=st.dictionaries(
        st.sampled_from([*GOOD_DELTA, "bids", "asks", "event", "time"]), json_values, max_size=4
    ),
    drop=st.sets(st.sampled_from(list(GOOD_DELTA)), max_size=3),
    garbage=st.binary(max_size=40),
    truncate=st.integers(min_value=0, max_value=200),
)
def test_fuzzed_frames_never_raise_and_every_frame_is_accounted_for(
    mutations: dict[str, object], drop: set[str], garbage: bytes, truncate: int
) -> None:
    parser, sink = parser_and_sink()
    frame = {k: v for k, v in GOOD_DELTA.items() if k not in drop} | mutations
    encoded = json.dumps(frame).encode()  # stdlib: also writes integers beyond 64 bits
    for raw in (encoded, encoded[:truncate], garbage, encoded + garbage):
        parser.parse(raw, RECV_NS)
    s = parser.stats
    handled = s.deltas + s.snapshots + s.heartbeats + s.events + s.dropped_total
    assert s.frames == 4
    assert handled + sum(s.unknown.values()) == 4
    assert len(sink.events_of(FeedEventKind.DROPPED_FRAME)) == s.dropped_total
    for delta in sink.deltas:  # whatever got through is a well-formed one-level delta
        assert delta.first_seq == delta.last_seq >= 0
        assert len(delta.bids) + len(delta.asks) == 1
        price, qty = (delta.bids or delta.asks)[0]
        assert price > 0 and qty >= 0
