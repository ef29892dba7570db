"""Ten thousand mutated venue frames: nothing escapes, every bad frame is counted and reported,
the drop log stays one line per kind, and nothing wrong reaches the book."""

from __future__ import annotations

import json
import logging
import math
import random

import pytest

from brokers.kraken_futures.parse import FrameParser
from core.events import FeedEventKind
from tests.brokers.kraken_futures.conftest import RecordingSink, fixture_bytes

FRAMES = 10_000
ODD_VALUES: list[object] = [
    None,
    True,
    -1,
    0,
    2**64,
    -(2**63) - 1,
    1e308,
    -0.0,
    "",
    "buy",
    "sell",
    "BOOK",
    [],
    {},
    [{"price": 1}],
    {"price": "x"},
    "9" * 400,
]


def mutate(rng: random.Random, frame: dict[str, object]) -> bytes:
    kind = rng.randrange(6)
    data = dict(frame)
    if kind == 0 and data:  # a field gets an odd value
        data[rng.choice(list(data))] = rng.choice(ODD_VALUES)
    elif kind == 1 and data:  # a field goes missing
        data.pop(rng.choice(list(data)))
    elif kind == 2:  # an unknown field appears (harmless)
        data[f"x{rng.randrange(100)}"] = rng.choice(ODD_VALUES)
    raw = json.dumps(data).encode()
    if kind == 3:  # truncated in flight
        raw = raw[: rng.randrange(len(raw))]
    elif kind == 4:  # bytes flipped
        flipped = bytearray(raw)
        for _ in range(rng.randrange(1, 4)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        raw = bytes(flipped)
    return raw  # kind 5: unchanged


def test_ten_thousand_fuzzed_frames(caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(20240611)
    templates = [json.loads(line) for line in fixture_bytes("ws_frames.jsonl").splitlines() if line]
    sink = RecordingSink()
    parser = FrameParser(sink)
    with caplog.at_level(logging.WARNING, logger="brokers.kraken_futures.parse"):
        for i in range(FRAMES):
            parser.parse(mutate(rng, rng.choice(templates)), i)  # raises nothing

    s = parser.stats
    assert s.frames == FRAMES
    assert (
        s.deltas + s.snapshots + s.heartbeats + s.events + s.dropped_total + sum(s.unknown.values())
        == FRAMES
    )
    assert s.dropped_total > 1000  # the fuzzer really produced bad frames
    assert len(sink.events_of(FeedEventKind.DROPPED_FRAME)) == s.dropped_total
    assert len(caplog.records) == len(s.dropped)  # one line per kind within the interval
    for delta in sink.deltas:
        ((price, qty),) = delta.bids or delta.asks
        assert len(delta.bids) + len(delta.asks) == 1
        assert 0 < price < math.inf and 0 <= qty < math.inf and delta.first_seq >= 0
    for snapshot in sink.snapshots:
        assert [p for p, _ in snapshot.bids] == sorted((p for p, _ in snapshot.bids), reverse=True)
        assert [p for p, _ in snapshot.asks] == sorted(p for p, _ in snapshot.asks)
