"""``Engine.on_level`` (Kraken's hot path, no ``BookDelta`` built) does what ``on_delta`` does."""

from __future__ import annotations

from core.engine import Engine
from core.enums import BookState, SignalAction
from core.events import level_delta
from tests.core.engine.test_engine import (
    SECOND,
    SYMBOL,
    Recorder,
    RecordingFeed,
    make_engine,
    snapshot,
)

WALL = 1_700_000_000_000_000_000  # the test clock's wall time, venue time "now"
Level = tuple[str, int, bool, float, float, int, int]  # level_delta's arguments


def stream() -> list[BookState | Level | None]:
    """Snapshot at 10, then: in sequence (one turns the book bullish), a duplicate, an unknown
    product, a gap (resync), levels buffered while syncing, a new snapshot that replays them, a
    late venue time (STALE), an update on time (LIVE again) and a crossing bid (resync again)."""
    bid, ask = True, False
    return [
        BookState.LIVE,  # snapshot(10)
        (SYMBOL, 11, bid, 43_500.0, 2.0, 0, 1_000),
        (SYMBOL, 12, ask, 43_501.0, 0.0, 0, 2_000),
        (SYMBOL, 13, bid, 43_499.5, 40.0, 0, 3_000),  # bullish: BUY
        (SYMBOL, 13, bid, 43_499.5, 1.0, 0, 4_000),  # duplicate
        ("PF_ETHUSD", 14, bid, 2_000.0, 1.0, 0, 5_000),  # not a book the engine keeps
        (SYMBOL, 16, ask, 43_502.0, 3.0, 0, 6_000),  # gap: 14 and 15 missing
        (SYMBOL, 17, ask, 43_502.5, 3.0, 0, 7_000),  # buffered
        None,  # snapshot(16): replays 17
        (SYMBOL, 18, ask, 43_503.0, 0.0, 0, 8_000),
        (SYMBOL, 19, ask, 43_503.5, 1.0, WALL - 10 * SECOND, 8_500),  # lags: STALE
        (SYMBOL, 20, ask, 43_504.0, 1.0, WALL, 8_600),  # on time: LIVE again
        (SYMBOL, 21, bid, 43_600.0, 1.0, 0, 9_000),  # crosses the asks
    ]


def feed(engine: Engine, via_level: bool) -> None:
    for item in stream():
        if item is BookState.LIVE:
            engine.on_snapshot(snapshot(10, 1.0, 1.0))
        elif item is None:
            engine.on_snapshot(snapshot(16, 1.0, 1.0))
        elif via_level:
            engine.on_level(*item)
        else:
            engine.on_delta(level_delta(*item))


def outcome(engine: Engine, feed: RecordingFeed, recorder: Recorder) -> object:
    state = engine.state()
    signals = [(s.action, s.price, s.quantity, s.reason, s.outcome) for s in recorder.signals]
    return (signals, recorder.states, feed.resyncs, state.counters, state.book, state.position)


async def test_on_level_leaves_the_engine_where_on_delta_of_the_same_levels_does() -> None:
    by_level, level_feed, level_recorder, _ = make_engine()
    by_delta, delta_feed, delta_recorder, _ = make_engine()
    feed(by_level, via_level=True)
    feed(by_delta, via_level=False)

    assert outcome(by_level, level_feed, level_recorder) == outcome(
        by_delta, delta_feed, delta_recorder
    )
    assert by_level.latency.count == by_delta.latency.count
    # The stream did reach every path it was written for.
    counters = by_level.state().counters
    assert [s.action for s in level_recorder.signals][:1] == [SignalAction.BUY]
    assert (counters.duplicates, counters.unknown_product, counters.gaps) == (1, 1, 1)
    assert (counters.crossed, counters.stale_lag) == (1, 1)
    assert (SYMBOL, BookState.STALE) in level_recorder.states
    assert level_feed.resyncs == [SYMBOL, SYMBOL]
    assert by_level.book.state is BookState.SYNCING
