"""Stream frames → ``BookDelta``s: raw and combined, decimal strings, every bad frame counted."""

from __future__ import annotations

import orjson
import pytest

from brokers.binance_us import DepthParser, DropReason
from core.events import FeedEventKind
from tests.brokers.binance_us.conftest import RecordingSink

EVENT = {
    "e": "depthUpdate",
    "E": 1_700_000_000_123,
    "s": "BTCUSDT",
    "U": 157,
    "u": 160,
    "b": [["43500.01000000", "0.25000000"], ["43499.50", "0"]],
    "a": [["43501.00", "1.5"]],
}


def frame(**changes: object) -> bytes:
    return orjson.dumps({**EVENT, **changes})


def test_a_raw_depth_update_becomes_one_delta_covering_U_to_u() -> None:
    sink = RecordingSink()
    parser = DepthParser(sink)
    assert parser.parse(frame(), recv_ns=42) == "BTCUSDT"
    (delta,) = sink.deltas
    assert (delta.product, delta.first_seq, delta.last_seq) == ("BTCUSDT", 157, 160)
    assert delta.bids == ((43500.01, 0.25), (43499.5, 0.0))
    assert delta.asks == ((43501.0, 1.5),)
    assert delta.venue_ts_ns == 1_700_000_000_123_000_000
    assert delta.recv_ns == 42


def test_a_combined_stream_frame_is_unwrapped() -> None:
    sink = RecordingSink()
    raw = orjson.dumps({"stream": "btcusdt@depth@100ms", "data": EVENT})
    DepthParser(sink).parse(raw, recv_ns=1)
    assert [(d.first_seq, d.last_seq) for d in sink.deltas] == [(157, 160)]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"e":"depthUpdate","U":', DropReason.INVALID_JSON),
        (b"[1,2]", DropReason.BAD_SCHEMA),
        (frame(b=[["abc", "1"]]), DropReason.BAD_SCHEMA),
        (frame(U=161, u=160), DropReason.BAD_VALUE),
        (frame(b=[["43500", "-1"]]), DropReason.BAD_VALUE),
        (frame(a=[["0", "1"]]), DropReason.BAD_VALUE),
        (frame(b=[["NaN", "1"]]), DropReason.BAD_VALUE),
        (frame(s=""), DropReason.BAD_VALUE),
    ],
)
def test_a_bad_frame_is_counted_reported_and_never_reaches_the_book(
    raw: bytes, reason: DropReason
) -> None:
    sink = RecordingSink()
    parser = DepthParser(sink)
    assert parser.parse(raw, recv_ns=7) is None
    assert sink.deltas == []
    assert parser.stats.dropped == {reason: 1}
    (event,) = sink.events_of(FeedEventKind.DROPPED_FRAME)
    assert event.detail.startswith(reason.value)


def test_answers_errors_and_unknown_events_are_told_apart() -> None:
    sink = RecordingSink()
    parser = DepthParser(sink)
    parser.parse(b'{"result":null,"id":1}', recv_ns=1)
    parser.parse(b'{"code":2,"msg":"Invalid request"}', recv_ns=2)
    parser.parse(b'{"e":"trade","s":"BTCUSDT"}', recv_ns=3)
    assert sink.deltas == []
    assert [e.detail for e in sink.events_of(FeedEventKind.VENUE_ERROR)] == [
        "code 2: Invalid request"
    ]
    assert parser.stats.unknown == {"event:trade": 1}
    assert parser.stats.dropped_total == 0
