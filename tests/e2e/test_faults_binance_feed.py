"""Market-data faults on Binance.us, end to end: the sim's Binance.us stream misbehaves, the real
Binance.us adapter (stream + REST snapshots) and the engine trade paper through it.

The same four assertions as the Kraken tests (``test_faults_feed.py``): no decision on a book
that was not LIVE, recovery measured from the venue being healthy again, exact counters of what
was dropped, a ledger equal to its fills; and the book equal to the venue's at one update id.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from core.enums import BookState
from tests.e2e.binance_rig import SYMBOL, BinanceRig, binance_rig
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

Log = Callable[[str, float], None]


async def finish(rig: BinanceRig) -> None:
    assert rig.never_decided_on_a_book_not_live() > 0
    await rig.book_matches_the_venue()
    await rig.flatten_and_check_the_ledger()


async def broke_and_recovered(rig: BinanceRig, t0: float, what: str, log: Log) -> None:
    down = await rig.went_down(t0)
    log(what, await rig.recovery(down))


async def test_a_lost_event_is_a_gap_and_only_that_symbol_is_resnapshotted(
    recovery_log: Log,
) -> None:
    async with binance_rig() as rig:
        await rig.trading()
        t0 = time.monotonic()
        rig.server.faults.drop_next_seq(SYMBOL)
        await broke_and_recovered(rig, t0, "Binance.us: event lost -> REST snapshot", recovery_log)
        c = rig.counters
        assert (c.gaps, c.resyncs, c.reconnects, c.dropped_frames) == (1, 1, 0, 0)
        assert rig.feed_stats.resyncs == 1
        await finish(rig)


async def test_duplicated_events_are_dropped_and_counted() -> None:
    async with binance_rig() as rig:
        await rig.trading()
        t0 = time.monotonic()
        rig.server.faults.duplicate_next(SYMBOL, 3)
        await eventually(lambda: rig.counters.duplicates == 3, what="3 duplicates")
        c = rig.counters
        assert (c.gaps, c.resyncs, c.duplicates) == (0, 0, 3)
        assert rig.witness.changes_since(t0) == []
        await finish(rig)


async def test_swapped_events_are_a_gap_and_resynced(recovery_log: Log) -> None:
    async with binance_rig() as rig:
        await rig.trading()
        t0 = time.monotonic()
        rig.server.faults.swap_next(SYMBOL)
        await broke_and_recovered(rig, t0, "Binance.us: two events swapped", recovery_log)
        c = rig.counters
        assert (c.gaps, c.resyncs, c.reconnects) == (1, 1, 0)
        await finish(rig)


async def test_a_crossing_event_resyncs_the_book(recovery_log: Log) -> None:
    async with binance_rig() as rig:
        await rig.trading()
        t0 = time.monotonic()
        rig.server.faults.cross_next(SYMBOL)
        await broke_and_recovered(rig, t0, "Binance.us: crossed by a bogus event", recovery_log)
        c = rig.counters
        assert (c.crossed, c.resyncs, c.gaps) == (1, 1, 0)
        await finish(rig)


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "dropped-socket"])
async def test_a_disconnect_reconnects_and_rebuilds(abrupt: bool, recovery_log: Log) -> None:
    async with binance_rig() as rig:
        await rig.trading()
        t0 = time.monotonic()
        rig.server.faults.disconnect_all(abrupt=abrupt)
        await broke_and_recovered(
            rig, t0, f"Binance.us: disconnect (abrupt={abrupt})", recovery_log
        )
        assert (rig.counters.reconnects, rig.feed_stats.reconnects) == (1, 1)
        await finish(rig)


async def test_a_half_open_socket_is_found_by_the_missing_pong_and_replaced(
    recovery_log: Log,
) -> None:
    async with binance_rig(websocket_timeout_seconds=1.0) as rig:
        await rig.trading()
        t0 = time.monotonic()
        rig.server.faults.half_open_all()
        stale = await rig.went_down(t0)

        def dropped() -> list[float]:  # when the engine saw the connection go (its own moment)
            changes = rig.witness.changes_since(t0)
            return [t for t, _, reason in changes if reason.startswith("disconnected")]

        await eventually(dropped, 10, what="the half-open connection dropped")
        recovery_log(
            f"Binance.us: half-open, STALE after {stale - t0:.2f}s",
            await rig.recovery(dropped()[0]),
        )
        assert rig.counters.reconnects == 1
        assert rig.feed_stats.silent_disconnects == 1
        await finish(rig)


async def test_malformed_json_unknown_fields_and_events_are_counted_and_harmless() -> None:
    async with binance_rig() as rig:
        await rig.trading()
        t0 = time.monotonic()
        faults = rig.server.faults
        faults.send_malformed(3)
        faults.add_unknown_fields(3)
        faults.send_unknown_frames(2)
        await eventually(lambda: rig.counters.dropped_frames == 3, what="3 malformed frames")
        await eventually(lambda: sum(rig.feed_stats.unknown.values()) == 2, what="2 unknown")
        assert rig.feed_stats.unknown == {"event:trade": 1, "event:kline": 1}
        assert (rig.counters.gaps, rig.counters.resyncs) == (0, 0)
        assert rig.witness.changes_since(t0) == []
        await finish(rig)


async def test_late_event_times_make_the_book_stale_until_they_are_current(
    recovery_log: Log,
) -> None:
    async with binance_rig(max_book_lag_seconds=2.0) as rig:
        await rig.trading()
        t0 = time.monotonic()
        rig.server.faults.lag_timestamps(3_000)
        await rig.went_down(t0)
        assert rig.engine.book.state is BookState.STALE
        rig.server.faults.lag_timestamps(0)
        healthy = time.monotonic()
        recovery_log("Binance.us: event times 3 s late -> on time", await rig.recovery(healthy))
        assert (rig.counters.stale_lag, rig.counters.gaps) == (1, 0)
        await finish(rig)
