"""Market-data faults, end to end: the sim venue misbehaves on its real WebSocket, the real Kraken
adapter and the engine trade live (on the sim) through it. Faults both Kraken protocols have run
over both (``protocol``: the v1 Derivatives WebSocket and the Unified WebSocket, whose adapter
has no sequence numbers and finds a lost update by the checksum instead). Duplicated, swapped and
crossing frames are sequence-number faults only v1 has; the Unified-only ones (checksum,
``status``, tokens) are in ``test_faults_unified.py``.

Every test asserts the same four things (see ``rig.py``): no decision on a book that was not
LIVE, recovery after the venue is healthy again (measured, reported in the summary), exact
counters of what was dropped, and a ledger that matches the venue's fills exactly (after a kill
switch that the venue confirms flat). Where the book broke, it is also compared with the venue's
level for level once the market is frozen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from core.engine_state import KillSwitchPhase
from core.enums import BookState, Mode
from core.events import Signal, SignalOutcome
from tests.e2e.rig import PROTOCOLS, XBT, Protocol, Rig, trading_rig
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

Log = Callable[[str, float], None]


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> Protocol:
    return request.param  # type: ignore[no-any-return]


async def finish(rig: Rig) -> None:
    """The standing assertions every fault test ends with."""
    assert rig.never_decided_on_a_book_not_live() > 0, "the strategy kept deciding meanwhile"
    assert rig.never_entered_on_a_book_not_live() > 0, "no entry order went out at all"
    await rig.book_matches_the_venue()
    await rig.flatten_and_check_the_ledger()
    rig.client_ids_are_unique_at_the_venue()


async def test_lost_frames_resync_only_the_broken_book_and_it_recovers(
    protocol: Protocol, recovery_log: Log
) -> None:
    async with trading_rig(protocol=protocol) as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.drop_next_seq(XBT, 3)
        down = await rig.went_down(t0)
        how = "checksum mismatch" if rig.unified else "seq gap"
        recovery_log(f"3 frames lost ({how}) -> resync", await rig.recovery(down))
        c, stats = rig.counters, rig.feed_stats
        assert (c.gaps, c.resyncs, c.reconnects, c.dropped_frames) == (1, 1, 0, 0)
        assert (stats.resyncs, stats.reconnects) == (1, 0)
        if rig.unified:  # found by the checksum: the venue's view moved on, ours did not
            assert rig.unified_stats.checksum_mismatches == 1
        assert [st for _, st, _ in rig.witness.changes_since(t0)] == [
            BookState.SYNCING,
            BookState.LIVE,
        ]
        await finish(rig)


async def test_duplicated_frames_are_dropped_and_counted_without_breaking_the_book() -> None:
    async with trading_rig() as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.duplicate_next(XBT, 5)
        await eventually(lambda: rig.counters.duplicates == 5, what="5 duplicates seen")
        c = rig.counters
        assert (c.gaps, c.resyncs, c.crossed, c.duplicates) == (0, 0, 0, 5)
        assert rig.witness.changes_since(t0) == [], "a duplicate never unsettles the book"
        await finish(rig)


async def test_frames_out_of_order_are_a_gap_and_the_book_is_resynced(recovery_log: Log) -> None:
    async with trading_rig() as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.swap_next(XBT)
        down = await rig.went_down(t0)
        recovery_log("2 frames swapped -> resync", await rig.recovery(down))
        c = rig.counters
        assert (c.gaps, c.resyncs, c.duplicates, c.reconnects) == (1, 1, 0, 0)
        await finish(rig)


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "dropped-socket"])
async def test_a_disconnect_reconnects_and_rebuilds_the_book(
    protocol: Protocol, abrupt: bool, recovery_log: Log
) -> None:
    async with trading_rig(protocol=protocol) as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.disconnect_all(abrupt=abrupt)
        down = await rig.went_down(t0)
        recovery_log(f"disconnect ({'abrupt' if abrupt else 'clean'})", await rig.recovery(down))
        c, stats = rig.counters, rig.feed_stats
        assert (c.reconnects, c.gaps, c.resyncs) == (1, 0, 0)
        assert (stats.connects, stats.reconnects, stats.silent_disconnects) == (2, 1, 0)
        await finish(rig)


async def test_a_silent_half_open_socket_is_detected_by_the_timeout_and_replaced(
    protocol: Protocol, recovery_log: Log
) -> None:
    async with trading_rig(protocol=protocol, websocket_timeout_seconds=1.0) as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.half_open_all()
        down = await rig.went_down(t0)
        recovery_log(f"half-open socket detected after {down - t0:.2f}s", await rig.recovery(down))
        stats = rig.feed_stats
        assert (stats.silent_disconnects, stats.reconnects) == (1, 1)
        assert rig.counters.reconnects == 1
        assert down - t0 >= 0.9, "detected by the 1 s silence timeout, not by luck"
        reasons = [reason for _, _, reason in rig.witness.changes_since(t0)]
        assert any("no frame for 1 s" in reason for reason in reasons), reasons
        await finish(rig)


async def test_malformed_json_unknown_fields_and_unknown_frames_are_counted_and_harmless(
    protocol: Protocol,
) -> None:
    async with trading_rig(protocol=protocol) as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        faults = rig.server.faults
        faults.send_malformed(3)
        faults.add_unknown_fields(5)
        faults.send_unknown_frames(2)
        await eventually(lambda: rig.counters.dropped_frames == 3, what="3 malformed frames")
        await eventually(lambda: sum(rig.feed_stats.unknown.values()) == 2, what="2 unknown")
        stats = rig.feed_stats
        assert stats.dropped_total == 3
        if rig.unified:
            assert stats.unknown == {"channel:ticker": 2}
            await eventually(lambda: faults.take_unknown_fields() is False, what="5 sent")
            assert rig.unified_stats.checksum_mismatches == 0
        else:
            assert stats.unknown == {"feed:ticker_lite": 1, "event:notice": 1}
        c = rig.counters
        assert (c.gaps, c.resyncs, c.reconnects) == (0, 0, 0)
        assert rig.witness.changes_since(t0) == []
        await finish(rig)


async def test_a_crossing_frame_resyncs_the_book(recovery_log: Log) -> None:
    async with trading_rig() as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.cross_next(XBT)
        down = await rig.went_down(t0)
        recovery_log("crossed by a bogus frame -> resync", await rig.recovery(down))
        c = rig.counters
        assert (c.crossed, c.resyncs, c.gaps) == (1, 1, 0)
        assert "crossed book" in rig.witness.changes_since(t0)[0][2]
        await finish(rig)


async def test_a_crossed_snapshot_is_refused_and_asked_for_again(recovery_log: Log) -> None:
    async with trading_rig() as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.cross_next_snapshot(XBT)
        rig.server.faults.drop_next_seq(XBT)
        down = await rig.went_down(t0)
        recovery_log("gap, then a crossed snapshot -> second resync", await rig.recovery(down))
        c = rig.counters
        assert (c.gaps, c.crossed, c.resyncs) == (1, 1, 2)
        await finish(rig)


async def test_a_resync_the_venue_never_answers_is_asked_again(
    protocol: Protocol, recovery_log: Log
) -> None:
    async with trading_rig(protocol=protocol, websocket_timeout_seconds=1.0) as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.ignore_next_subscribe(XBT)
        rig.server.faults.drop_next_seq(XBT)
        down = await rig.went_down(t0)
        await eventually(lambda: rig.witness.noticed("asking again"), what="a retry")
        # The engine's own moment of asking again, never when this test happened to look: the
        # snapshot may well be in (and the book LIVE) before a poll on a busy machine sees it.
        asked_again = rig.witness.noticed("asking again")
        assert asked_again is not None
        recovery_log(
            f"resync lost, asked again after {asked_again - down:.2f}s",
            await rig.recovery(asked_again),
        )
        c = rig.counters
        assert (c.gaps, c.resyncs, c.resync_retries, c.reconnects) == (1, 1, 1, 0)
        await finish(rig)


async def test_a_venue_whose_timestamps_lag_makes_the_book_stale_until_they_are_current(
    protocol: Protocol, recovery_log: Log
) -> None:
    async with trading_rig(protocol=protocol, max_book_lag_seconds=2.0) as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.server.faults.lag_timestamps(3_000)
        await rig.went_down(t0)
        before = rig.never_decided_on_a_book_not_live()
        if rig.unified:  # late book messages keep arriving (and verifying), the book stays STALE
            updates = rig.unified_stats.updates
            await eventually(lambda: rig.unified_stats.updates > updates + 5)
        else:
            await eventually(lambda: rig.engine.book.seq > rig.venue_seq() - 5)
        assert rig.engine.book.state is BookState.STALE
        rig.server.faults.lag_timestamps(0)
        healthy = time.monotonic()
        recovery_log("venue timestamps 3 s late -> on time", await rig.recovery(healthy))
        c = rig.counters
        assert (c.stale_lag, c.gaps, c.resyncs, c.reconnects) == (1, 0, 0, 0)
        [(_, state, reason), *_] = rig.witness.changes_since(t0)
        assert state is BookState.STALE and "venue time lags by" in reason
        assert rig.never_decided_on_a_book_not_live() >= before
        await finish(rig)


@pytest.mark.parametrize("mode", [Mode.LIVE, Mode.PAPER])
async def test_a_position_on_a_book_down_too_long_is_flattened_then_trading_resumes(
    protocol: Protocol, mode: Mode, recovery_log: Log
) -> None:
    async with trading_rig(
        mode,
        protocol=protocol,
        not_live_grace_seconds=1.0,
        websocket_timeout_seconds=1.0,
        take_profit_pct=50,
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1_000_000,
    ) as rig:
        await rig.trading(fills=1)
        await eventually(lambda: rig.engine.ledger.position.quantity != 0)
        t0 = time.monotonic()
        rig.server.faults.ignore_next_subscribe(XBT, 50)  # every resync is lost for now
        rig.server.faults.drop_next_seq(XBT)
        await rig.went_down(t0)

        def protective_closes() -> list[Signal]:
            return [s for s, _ in rig.witness.decisions if "not LIVE for 1s" in s.reason]

        # The venue heals only once the engine has judged the book down too long. Any sooner,
        # the first resync (sent a few loop turns after the gap) may still reach the venue
        # after the heal and be answered: the book is back at once and rightly never flattened.
        await eventually(protective_closes, what="the protective flatten started")
        if mode is Mode.LIVE:  # the venue closes at market, no book needed
            await eventually(lambda: rig.engine.ledger.position.quantity == 0, what="flat")
            assert rig.engine.book.state is not BookState.LIVE
        rig.server.faults.clear()  # the watchdog's next resync is answered
        healthy = time.monotonic()
        recovery_log(f"book down too long ({mode.value})", await rig.recovery(healthy))
        await eventually(lambda: rig.witness.kill_switch, what="the protective flatten done")
        assert rig.witness.kill_switch[0].phase is KillSwitchPhase.FLAT
        await eventually(lambda: not rig.engine.state().kill_switch.engaged, what="released")
        [close] = protective_closes()
        await eventually(  # the strategy trades again: an entry after the protective close
            lambda: any(
                s.number > close.number and s.outcome is SignalOutcome.ACTED
                for s, _ in rig.witness.decisions
            ),
            20,
            what="an entry after the protective close",
        )
        assert close.number < rig.witness.decisions[-1][0].number
        if mode is Mode.LIVE:
            await finish(rig)
        else:
            assert rig.never_decided_on_a_book_not_live() > 0
            rig.ledger_rebuilt_from_fills_is_the_engines()


async def test_hold_keeps_the_position_while_the_book_is_down(protocol: Protocol) -> None:
    async with trading_rig(
        protocol=protocol,
        not_live_grace_seconds=0.5,
        not_live_position_action="hold",
        take_profit_pct=50,
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1_000_000,
    ) as rig:
        await rig.trading(fills=1)
        await eventually(lambda: rig.engine.ledger.position.quantity != 0)
        held = rig.engine.ledger.position.quantity
        t0 = time.monotonic()
        rig.server.faults.ignore_next_subscribe(XBT, 50)
        rig.server.faults.drop_next_seq(XBT)
        down = await rig.went_down(t0)
        await eventually(lambda: time.monotonic() - down > 1.5, 5)
        assert rig.engine.ledger.position.quantity == held
        assert not rig.witness.kill_switch
        rig.server.faults.clear()
        await rig.recovery(time.monotonic(), timeout_s=15)
        await finish(rig)
