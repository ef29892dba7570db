"""Fuzzing the Binance.us stream parser: ten thousand mutated frames, then a long stream with
lost, duplicated, swapped, broken and padded frames run into the real core book.

1. Garbage: nothing escapes the parser, every frame is accounted for, every bad one is counted,
   reported and logged once per kind, and what reaches the book has sane values.
2. The book is never silently wrong: whatever the stream suffers, whenever the core book says
   LIVE it holds exactly the venue's book at its sequence number (a resync from a snapshot of the
   truth follows every gap, as the feed does).
"""

from __future__ import annotations

import copy
import json
import logging
import math
import random
from typing import Any

import orjson
import pytest

from brokers.binance_us import DepthParser
from core.book import ApplyOutcome, OrderBook
from core.enums import BookState
from core.events import BookDelta, BookSnapshot, FeedEventKind
from tests.brokers.binance_us.conftest import RecordingSink

FRAMES = 10_000
SYMBOL = "BTCUSDT"
ODD_VALUES: list[object] = [
    None,
    True,
    -1,
    0,
    2**64,
    1e308,
    -0.0,
    "",
    "nan",
    "-5",
    "1e999",
    "depthUpdate",
    [],
    {},
    [["1", "2", "3"]],
    [["x", "1"]],
    [[-1, 1]],
    "9" * 400,
]
TEMPLATES: list[dict[str, Any]] = [
    {
        "e": "depthUpdate",
        "E": 1_700_000_000_123,
        "s": SYMBOL,
        "U": 157,
        "u": 160,
        "b": [["43500.01", "0.25"], ["43499.50", "0"]],
        "a": [["43501.00", "1.5"]],
    },
    {"e": "depthUpdate", "E": 1_700_000_000_456, "s": SYMBOL, "U": 161, "u": 161, "b": [], "a": []},
    {"result": None, "id": 1},
    {"code": 2, "msg": "Invalid request"},
    {"e": "trade", "E": 1, "s": SYMBOL},
]


def mutate(rng: random.Random, template: dict[str, Any]) -> bytes:
    data = copy.deepcopy(template)
    if rng.random() < 0.3 and "e" in data:  # a combined-stream frame
        data = {"stream": "btcusdt@depth@100ms", "data": data}
    target = data.get("data", data)
    kind = rng.randrange(7)
    if kind == 0 and target:
        target[rng.choice(list(target))] = rng.choice(ODD_VALUES)
    elif kind == 1 and target:
        target.pop(rng.choice(list(target)))
    elif kind == 2:
        target[f"x{rng.randrange(100)}"] = rng.choice(ODD_VALUES)
    elif kind == 3 and target.get("b"):
        target["b"][0] = [rng.choice(ODD_VALUES), rng.choice(ODD_VALUES)]
    raw = json.dumps(data).encode()  # json: orjson refuses integers beyond 64 bits
    if kind == 4:
        raw = raw[: rng.randrange(len(raw))]
    elif kind == 5:
        flipped = bytearray(raw)
        for _ in range(rng.randrange(1, 4)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        raw = bytes(flipped)
    return raw  # kind 6: unchanged


def test_ten_thousand_fuzzed_frames(caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(20250101)
    sink = RecordingSink()
    parser = DepthParser(sink)
    with caplog.at_level(logging.WARNING, logger="brokers.binance_us.parse"):
        for i in range(FRAMES):
            parser.parse(mutate(rng, rng.choice(TEMPLATES)), i)  # raises nothing

    s = parser.stats
    answers = sum(1 for e in sink.events if e.kind is FeedEventKind.VENUE_ERROR)
    assert s.frames == FRAMES
    assert s.dropped_total > 1000, "the fuzzer really produced bad frames"
    assert len(sink.events_of(FeedEventKind.DROPPED_FRAME)) == s.dropped_total
    assert answers == s.venue_errors
    accounted = s.deltas + s.dropped_total + sum(s.unknown.values()) + s.venue_errors
    assert accounted <= FRAMES  # the rest are answers to requests ({"result":…,"id":…})
    drops = [r for r in caplog.records if "dropped a" in r.getMessage()]
    assert len(drops) == len(s.dropped), "one line per kind within the log interval"
    assert len(sink.deltas) == s.deltas
    for delta in sink.deltas:
        # Another symbol is possible (a mutated "s"): the engine counts it as unknown_product.
        assert delta.product and 0 <= delta.first_seq <= delta.last_seq
        for price, qty in delta.bids + delta.asks:
            assert 0 < price < math.inf and 0 <= qty < math.inf


# --- the book is never silently wrong ---------------------------------------------------------
class Venue:
    """A random but exact Binance.us book: ``depthUpdate`` events and the truth at every id."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bids = {43_500.0 - i: float(rng.randint(1, 9)) for i in range(40)}
        self.asks = {43_501.0 + i: float(rng.randint(1, 9)) for i in range(40)}
        self.last_id = 1_000
        self.history: dict[int, tuple[dict[float, float], dict[float, float]]] = {}
        self._keep()

    def _keep(self) -> None:
        self.history[self.last_id] = (dict(self.bids), dict(self.asks))

    def event(self) -> dict[str, Any]:
        rng = self.rng
        changes: dict[str, list[list[str]]] = {"b": [], "a": []}
        for _ in range(rng.randint(1, 6)):
            side, book = rng.choice((("b", self.bids), ("a", self.asks)))
            best_bid, best_ask = max(self.bids), min(self.asks)
            if side == "b":
                price = best_bid - rng.randint(-1 if best_ask - best_bid > 1 else 0, 30)
            else:
                price = best_ask + rng.randint(-1 if best_ask - best_bid > 1 else 0, 30)
            size = 0.0 if rng.random() < 0.3 and len(book) > 5 else float(rng.randint(1, 9))
            if size:
                book[price] = size
            else:
                book.pop(price, None)
            changes[side].append([f"{price:.2f}", f"{size:.8f}"])
        first = self.last_id + 1
        self.last_id += rng.randint(1, 3)  # ids are not contiguous inside an event
        self._keep()
        return {
            "e": "depthUpdate",
            "E": 1_700_000_000_000,
            "s": SYMBOL,
            "U": first,
            "u": self.last_id,
            **changes,
        }

    def snapshot(self) -> BookSnapshot:
        bids, asks = self.history[self.last_id]
        return BookSnapshot(
            SYMBOL,
            self.last_id,
            tuple(sorted(bids.items(), reverse=True)),
            tuple(sorted(asks.items())),
            venue_ts_ns=0,
            recv_ns=0,
        )


class CheckingSink(RecordingSink):
    """Feeds the core book like the engine does and checks it against the venue's truth."""

    def __init__(self, venue: Venue) -> None:
        super().__init__()
        self.venue = venue
        self.book = OrderBook(SYMBOL, depth=10)
        self.resyncs = 0
        self.checked = 0
        self.book.apply_snapshot(venue.snapshot())

    def on_delta(self, delta: BookDelta) -> None:
        super().on_delta(delta)
        if self.book.apply_delta(delta) in (ApplyOutcome.GAP, ApplyOutcome.CROSSED):
            self.resyncs += 1
            self.book.apply_snapshot(self.venue.snapshot())  # what the feed's resync brings
        self.check()

    def check(self) -> None:
        if self.book.state is not BookState.LIVE:
            return
        bids, asks = self.venue.history[self.book.seq]
        ours_bids, ours_asks = self.book.top(1_000)
        assert dict(ours_bids) == bids and dict(ours_asks) == asks, f"wrong at {self.book.seq}"
        self.checked += 1


def test_the_book_is_never_silently_wrong_whatever_the_stream_suffers() -> None:
    rng = random.Random(77)
    venue = Venue(rng)
    sink = CheckingSink(venue)
    parser = DepthParser(sink)
    held: bytes | None = None
    faults = {"lost": 0, "duplicated": 0, "swapped": 0, "broken": 0, "padded": 0}
    for i in range(6_000):
        event = venue.event()
        raw = orjson.dumps(event if rng.random() < 0.5 else {"stream": "x", "data": event})
        fate = rng.random()
        if fate < 0.03:
            faults["lost"] += 1
            continue
        if fate < 0.06:
            faults["broken"] += 1
            raw = raw[: rng.randrange(len(raw))]  # the event is lost too: a gap follows
        elif fate < 0.10:
            faults["padded"] += 1
            raw = orjson.dumps({**event, "x_new": {"a": [1, None]}, "M": True})
        if held is not None:
            parser.parse(raw, i)
            parser.parse(held, i)
            held = None
            continue
        if 0.10 <= fate < 0.13:
            faults["swapped"] += 1
            held = raw
            continue
        parser.parse(raw, i)
        if 0.13 <= fate < 0.16:
            faults["duplicated"] += 1
            parser.parse(raw, i)
    assert all(count > 100 for count in faults.values()), faults
    assert parser.stats.dropped_total == faults["broken"]
    assert sink.resyncs >= faults["lost"], "every lost event is noticed"
    assert sink.book.counters.duplicates >= faults["duplicated"]
    assert sink.checked > 4_000, "the book was LIVE, and right, most of the time"
