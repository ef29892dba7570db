"""Each count is kept once, by the book that refused the update, and reaches what the user sees."""

from __future__ import annotations

import io

from console.headless import HeadlessPrinter
from core.engine import Engine
from core.enums import Mode
from core.events import BookDelta
from tests.core.engine.test_engine import SYMBOL, XBT, make_engine, snapshot


def binance_delta(first: int, last: int, size: float = 1.0) -> BookDelta:
    return BookDelta(SYMBOL, first, last, ((43_400.0, size),), (), 0, 0)


def feed_line(engine: Engine) -> str:
    """The summary's feed-health line, as the headless runner prints it."""
    out = io.StringIO()
    HeadlessPrinter(out, XBT).summary(engine.state(), mode="DRY RUN", elapsed_s=1.0, flatten=None)
    [line] = [line for line in out.getvalue().splitlines() if line.startswith("Feed:")]
    return line


async def test_deltas_a_snapshot_already_covers_are_bridging_not_venue_duplicates() -> None:
    engine, _, _, _ = make_engine(mode=Mode.DRY_RUN)
    engine.on_delta(binance_delta(90, 95))  # buffered before the first snapshot...
    engine.on_delta(binance_delta(96, 101))
    engine.on_snapshot(snapshot(100, 1.0, 1.0))  # ...which covers the first: dropped on replay
    assert engine.book.counters.duplicates == 1, "the book counts what it dropped"
    assert engine.state().counters.duplicates == 0, "bridging is no venue fault"
    assert "duplicates" not in feed_line(engine)

    engine.on_delta(binance_delta(101, 101))  # the venue sends 101 again
    assert engine.state().counters.duplicates == 1
    assert feed_line(engine).endswith("stale | 1 duplicates")


async def test_a_book_that_waits_too_long_for_its_snapshot_drops_and_shows_the_overflow() -> None:
    engine, _, _, _ = make_engine(mode=Mode.DRY_RUN)
    limit = engine.book.max_buffered
    for seq in range(1, limit + 3):  # no snapshot yet: everything is buffered
        engine.on_delta(binance_delta(seq, seq))
    counters = engine.state().counters
    assert (counters.buffer_overflows, counters.frames) == (2, limit + 2)
    assert feed_line(engine).endswith(" | 2 buffer overflows")


async def test_gaps_and_crosses_are_counted_once_per_event() -> None:
    engine, feed, _, _ = make_engine(mode=Mode.DRY_RUN)
    engine.on_snapshot(snapshot(10, 1.0, 1.0))
    engine.on_delta(binance_delta(12, 12))  # gap
    engine.on_snapshot(snapshot(20, 1.0, 1.0))
    engine.on_delta(BookDelta(SYMBOL, 21, 21, ((43_600.0, 1.0),), (), 0, 0))  # crosses
    counters = engine.state().counters
    assert (counters.gaps, counters.crossed, counters.resyncs) == (1, 1, 2)
    assert (engine.book.counters.gaps, engine.book.counters.crosses) == (1, 1)
    assert feed.resyncs == [SYMBOL, SYMBOL]


async def test_frames_for_a_product_the_engine_does_not_keep_are_counted_and_shown() -> None:
    engine, _, _, _ = make_engine(mode=Mode.DRY_RUN)
    engine.on_snapshot(snapshot(10, 1.0, 1.0))
    engine.on_level("PF_ETHUSD", 11, True, 2_000.0, 1.0, 0, 0)
    engine.on_delta(BookDelta("PF_ETHUSD", 12, 12, ((2_000.0, 1.0),), (), 0, 0))
    assert engine.state().counters.unknown_product == 2
    assert feed_line(engine).endswith(" | 2 frames for other products")
