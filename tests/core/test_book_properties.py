"""Property tests: the incremental book agrees with a naive one on any stream of events."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from core.book import OrderBook, _BookSide
from core.events import BookDelta, BookSnapshot, level_delta
from tests.core.reference_book import ReferenceBook

# Bid and ask grids overlap around 100-101 so crossed books happen now and then.
BID_PRICES = [90.0 + 0.5 * i for i in range(23)]  # 90.0 .. 101.0
ASK_PRICES = [100.0 + 0.5 * i for i in range(23)]  # 100.0 .. 111.0
SIZES = st.one_of(
    st.just(0.0),
    st.sampled_from([0.1, 0.0001, 1.5, 3.3, 250.0, 1e6]),
    st.floats(min_value=1e-4, max_value=1e4, allow_nan=False, allow_infinity=False),
)


def levels(prices: list[float], max_size: int) -> st.SearchStrategy[tuple]:
    return st.lists(st.tuples(st.sampled_from(prices), SIZES), max_size=max_size).map(tuple)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def assert_same(book: OrderBook, ref: ReferenceBook) -> None:
    assert book.state is ref.state
    assert book.seq == ref.seq
    bids, asks = ref.levels()
    assert book.top(10_000) == (bids, asks)
    assert (book.bid_count, book.ask_count) == (len(bids), len(asks))
    assert book.best_bid == (bids[0][0] if bids else None)
    assert book.best_ask == (asks[0][0] if asks else None)
    bid_sum, ask_sum = ref.sums()
    assert close(book.bid_depth_sum, bid_sum), (book.bid_depth_sum, bid_sum)
    assert close(book.ask_depth_sum, ask_sum), (book.ask_depth_sum, ask_sum)
    assert book.buffered == len(ref.buffer)
    counters = book.counters
    assert (counters.duplicates, counters.gaps, counters.crosses, counters.buffer_overflows) == (
        ref.duplicates,
        ref.gaps,
        ref.crosses,
        ref.overflows,
    )


KINDS = st.sampled_from(
    ["next"] * 12
    + ["range"] * 4
    + ["dup", "gap", "overlap"]
    + ["snapshot"] * 2
    + ["stale", "reset"]
)
DELTA_BIDS = levels(BID_PRICES, 3)
DELTA_ASKS = levels(ASK_PRICES, 3)
SNAPSHOT_BIDS = levels(BID_PRICES[:-4], 25)  # snapshots themselves are not crossed here
SNAPSHOT_ASKS = levels(ASK_PRICES[4:], 25)
SMALL = st.integers(0, 3)


@st.composite
def event_streams(draw: st.DrawFn) -> list[tuple[str, object]]:
    """A venue stream: mostly in-sequence deltas, with duplicates, gaps, overlaps, snapshots
    older or newer than the stream, stale marks and disconnects sprinkled in."""
    venue_seq = draw(st.integers(0, 1_000))
    events: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 60))):
        kind = draw(KINDS)
        if kind == "snapshot":
            seq = venue_seq + draw(st.integers(-3, 3))
            snap = BookSnapshot("X", seq, draw(SNAPSHOT_BIDS), draw(SNAPSHOT_ASKS), 0, 0)
            events.append(("snapshot", snap))
            venue_seq = max(venue_seq, seq)
            continue
        if kind in ("stale", "reset"):
            events.append((kind, None))
            continue
        if kind == "next":  # Kraken style: one number
            first = last = venue_seq + 1
        elif kind == "range":  # Binance.us style: U..u
            first = venue_seq + 1
            last = first + draw(st.integers(0, 5))
        elif kind == "dup":
            last = venue_seq - draw(SMALL)
            first = last - draw(SMALL)
        elif kind == "gap":
            first = venue_seq + 2 + draw(SMALL)
            last = first + draw(SMALL)
        else:  # overlap: starts inside what was seen, ends beyond
            first = venue_seq - draw(SMALL)
            last = venue_seq + 1 + draw(SMALL)
        bids, asks = draw(DELTA_BIDS), draw(DELTA_ASKS)
        events.append(("delta", BookDelta("X", first, last, bids, asks, 0, 0)))
        venue_seq = max(venue_seq, last)
    return events


@settings(max_examples=150, deadline=None)
@given(
    depth=st.sampled_from([1, 3, 10]),
    max_buffered=st.sampled_from([2, 10_000]),
    events=event_streams(),
)
def test_book_matches_a_naive_reference_on_any_event_stream(
    depth: int, max_buffered: int, events: list[tuple[str, object]]
) -> None:
    book = OrderBook("X", depth=depth, max_buffered=max_buffered)
    ref = ReferenceBook(depth, max_buffered)
    for kind, payload in events:
        if kind == "snapshot":
            assert isinstance(payload, BookSnapshot)
            assert book.apply_snapshot(payload) is ref.snapshot(payload)
        elif kind == "delta":
            assert isinstance(payload, BookDelta)
            assert book.apply_delta(payload) is ref.delta(payload)
        elif kind == "stale":
            book.mark_stale()
            ref.mark_stale()
        else:
            book.reset("disconnected")
            ref.reset()
        assert_same(book, ref)


ONE_LEVEL_KINDS = st.sampled_from(
    ["next"] * 12 + ["dup", "gap", "same"] + ["snapshot"] * 2 + ["stale", "reset"]
)


@st.composite
def level_streams(draw: st.DrawFn) -> list[tuple[str, object]]:
    """A Kraken Futures stream: one level per delta, with duplicates, gaps, snapshots older or
    newer than the stream, stale marks and disconnects sprinkled in."""
    venue_seq = draw(st.integers(0, 1_000))
    events: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 80))):
        kind = draw(ONE_LEVEL_KINDS)
        if kind == "snapshot":
            seq = venue_seq + draw(st.integers(-3, 3))
            snap = BookSnapshot("X", seq, draw(SNAPSHOT_BIDS), draw(SNAPSHOT_ASKS), 0, 0)
            events.append(("snapshot", snap))
            venue_seq = max(venue_seq, seq)
        elif kind in ("stale", "reset"):
            events.append((kind, None))
        else:
            seq = {
                "next": venue_seq + 1,
                "dup": venue_seq - draw(SMALL),
                "gap": venue_seq + 2 + draw(SMALL),
                "same": venue_seq,
            }[kind]
            bid = draw(st.booleans())
            price = draw(st.sampled_from(BID_PRICES if bid else ASK_PRICES))
            level = (seq, bid, price, draw(SIZES), draw(st.integers(0, 5)), draw(SMALL))
            events.append(("level", level))
            venue_seq = max(venue_seq, seq)
    return events


@settings(max_examples=150, deadline=None)
@given(depth=st.sampled_from([1, 3, 10]), events=level_streams())
def test_apply_level_is_apply_delta_of_that_level(
    depth: int, events: list[tuple[str, object]]
) -> None:
    """``apply_level`` (Kraken's path, no ``BookDelta`` built) matches the reference too, and
    leaves the book exactly where ``apply_delta`` of the same level leaves it."""
    book = OrderBook("X", depth=depth, max_buffered=10)
    twin = OrderBook("X", depth=depth, max_buffered=10)
    ref = ReferenceBook(depth, 10)
    for kind, payload in events:
        if kind == "snapshot":
            assert isinstance(payload, BookSnapshot)
            assert book.apply_snapshot(payload) is ref.snapshot(payload)
            twin.apply_snapshot(payload)
        elif kind == "level":
            assert isinstance(payload, tuple)
            delta = level_delta("X", *payload)
            outcome = book.apply_level(*payload)
            assert outcome is ref.delta(delta)
            assert twin.apply_delta(delta) is outcome
        elif kind == "stale":
            for b in (book, twin):
                b.mark_stale()
            ref.mark_stale()
        else:
            for b in (book, twin):
                b.reset("disconnected")
            ref.reset()
        assert_same(book, ref)
        assert (book.last_recv_ns, book.last_venue_ts_ns) == (
            twin.last_recv_ns,
            twin.last_venue_ts_ns,
        )
        assert (book.bid_depth_sum, book.ask_depth_sum) == (twin.bid_depth_sum, twin.ask_depth_sum)
        assert book.syncing_reason == twin.syncing_reason


@settings(max_examples=200, deadline=None)
@given(
    depth=st.integers(1, 12),
    changes=st.lists(st.tuples(st.integers(0, 40), SIZES), min_size=1, max_size=400),
)
def test_incremental_top_n_sum_equals_a_full_recount(
    depth: int, changes: list[tuple[int, float]]
) -> None:
    side = _BookSide(depth)
    naive: dict[float, float] = {}
    for tick, size in changes:
        key = 100.0 + tick * 0.5
        side.set(key, size)
        if size > 0:
            naive[key] = size
        else:
            naive.pop(key, None)
        assert side.keys == sorted(naive)
        expected = sum(naive[k] for k in sorted(naive)[-depth:])
        assert close(side.top_sum, expected), (side.top_sum, expected)


def test_periodic_recount_removes_rounding_drift() -> None:
    side = _BookSide(depth=2)
    side.set(1.0, 0.1)
    side.set(2.0, 0.2)
    side.set(3.0, 1e17)  # absurd size: adding and removing it loses 0.1 and 0.2 to rounding
    side.set(3.0, 0.0)
    assert side.top_sum != 0.1 + 0.2
    for _ in range(1024):
        side.set(0.5, 1.0)  # churn below the top 2 until the periodic recount kicks in
    assert side.top_sum == 0.2 + 0.1
