"""Book freshness: silence, venue lag, resyncs that never complete, and an open position on a
book that stays down — first the watch on its own, then wired into the engine."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from core.book import OrderBook
from core.clock import ManualClock
from core.engine import Engine, EngineConfig
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import BookState, Mode, SignalAction
from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind, SignalOutcome
from core.freshness import Alarm, AlarmKind, BookWatch, FreshnessPolicy, NotLiveAction
from core.risk import RiskLimits
from core.strategy import StrategyParams
from tests.core.engine.test_engine import XBT, RecordingFeed, bid_delta, snapshot
from tests.core.engine.test_engine import Recorder as EngineRecorder
from tests.core.factories import snapshot as small_snapshot
from tests.waiting import eventually

S = 1_000_000_000
PRODUCT = "PF_XBTUSD"


def live_book(recv_ns: int = 0) -> OrderBook:
    book = OrderBook(PRODUCT)
    book.apply_snapshot(small_snapshot(1, recv_ns=recv_ns))
    return book


def review(
    watch: BookWatch,
    book: OrderBook,
    now_s: float,
    *,
    heartbeat_s: float = 0.0,
    connected: bool = True,
    position_open: bool = False,
) -> list[Alarm]:
    return watch.review(
        [book],
        traded=PRODUCT,
        now_ns=int(now_s * S),
        last_heartbeat_ns=int(heartbeat_s * S),
        connected=connected,
        position_open=position_open,
    )


# --- the watch on its own -----------------------------------------------------------------------
def test_silence_beyond_the_timeout_raises_stale_and_a_heartbeat_keeps_the_book_live() -> None:
    watch = BookWatch(FreshnessPolicy(), stale_after_s=10)
    book = live_book()
    assert review(watch, book, 9.9) == []
    assert review(watch, book, 10.5, heartbeat_s=5.0) == []
    [alarm] = review(watch, book, 10.5)
    assert (alarm.kind, alarm.product, alarm.reason) == (
        AlarmKind.STALE,
        PRODUCT,
        "no data for 10s",
    )


def test_a_resync_that_never_completes_is_asked_again_each_timeout_while_connected() -> None:
    watch = BookWatch(FreshnessPolicy(resync_timeout_s=5), stale_after_s=10)
    book = OrderBook(PRODUCT)  # SYNCING, waiting for a snapshot
    assert review(watch, book, 0) == []
    assert review(watch, book, 5.0) == []
    [again] = review(watch, book, 5.1)
    assert again.kind is AlarmKind.RESYNC_AGAIN and "no snapshot 5s after asking" in again.reason
    assert review(watch, book, 10.0) == []
    assert [a.kind for a in review(watch, book, 10.2)] == [AlarmKind.RESYNC_AGAIN]
    # Disconnected: the feed resubscribes everything itself once it is back; the clock restarts.
    assert review(watch, book, 30, connected=False) == []
    assert review(watch, book, 34, connected=True) == []
    book.apply_snapshot(small_snapshot(2))
    assert review(watch, book, 60, heartbeat_s=59) == []


@pytest.mark.parametrize("state", ["syncing", "stale"])
def test_a_position_on_a_book_down_beyond_the_grace_is_flattened_once_per_grace(
    state: str,
) -> None:
    watch = BookWatch(FreshnessPolicy(not_live_grace_s=30, resync_timeout_s=1000), stale_after_s=10)
    book = live_book()
    if state == "stale":
        book.mark_stale()
    else:
        book.apply_delta(BookDelta(PRODUCT, 9, 9, ((1.0, 1.0),), (), 0, 0))  # a gap
    assert review(watch, book, 100, position_open=True) == []
    assert review(watch, book, 130, position_open=True) == []
    [flatten] = review(watch, book, 130.5, position_open=True)
    assert flatten.kind is AlarmKind.FLATTEN and "not LIVE for 30s" in flatten.reason
    assert review(watch, book, 150, position_open=True) == [], "not again within the grace"
    assert [a.kind for a in review(watch, book, 161, position_open=True)] == [AlarmKind.FLATTEN]
    assert watch.not_live_for_ns(161 * S) == 61 * S


def test_hold_keeps_the_position_and_a_flat_book_or_a_live_one_never_flattens() -> None:
    hold = BookWatch(FreshnessPolicy(not_live_action=NotLiveAction.HOLD), stale_after_s=10)
    down = OrderBook(PRODUCT)
    assert review(hold, down, 0, position_open=True) == []
    assert review(hold, down, 1000, position_open=True, connected=False) == []
    flatten = BookWatch(FreshnessPolicy(), stale_after_s=10)
    assert review(flatten, down, 0, connected=False) == []
    assert review(flatten, down, 1000, connected=False) == [], "no position, nothing to do"
    live = live_book(recv_ns=999 * S)
    assert review(flatten, live, 1000, position_open=True) == []
    assert flatten.not_live_for_ns(1000 * S) == 0


def test_nonsense_policies_are_refused() -> None:
    with pytest.raises(ValueError):
        FreshnessPolicy(max_lag_s=-1)
    with pytest.raises(ValueError):
        FreshnessPolicy(not_live_grace_s=0)
    with pytest.raises(ValueError):
        BookWatch(FreshnessPolicy(), stale_after_s=0)


# --- wired into the engine ------------------------------------------------------------------------
class Recorder(EngineRecorder):
    def __init__(self) -> None:
        super().__init__()
        self.kill_switch: list[KillSwitchStatus] = []

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        self.kill_switch.append(status)


def make_engine(
    *, mode: Mode = Mode.PAPER, policy: FreshnessPolicy | None = None
) -> tuple[Engine, RecordingFeed, Recorder, ManualClock]:
    feed, recorder, clock = RecordingFeed(), Recorder(), ManualClock()
    config = EngineConfig(
        venue_name="test",
        instrument=XBT,
        mode=mode,
        # Once in, stay in: only freshness rules close positions in these tests.
        strategy=StrategyParams(
            cooldown_s=0.0,
            take_profit_pct=50,
            stop_loss_pct=50,
            max_hold_s=1e9,
            reversal_ratio=1e9,
        ),
        risk=RiskLimits(),
        trade_notional_usd=Decimal(100),
        taker_fee_rate=Decimal("0.0005"),
        freshness=policy or FreshnessPolicy(max_lag_s=2, not_live_grace_s=30),
        kill_switch_backoff_s=0.001,
    )
    engine = Engine(config, feed=feed, clock=clock, observers=[recorder])  # type: ignore[arg-type]
    return engine, feed, recorder, clock


def stamped(snap: BookSnapshot, clock: ManualClock, *, late_s: float = 0) -> BookSnapshot:
    return BookSnapshot(
        snap.product,
        snap.seq,
        snap.bids,
        snap.asks,
        venue_ts_ns=clock.wall_ns() - int(late_s * S),
        recv_ns=clock.mono_ns(),
    )


def late_delta(seq: int, price: float, size: float, clock: ManualClock, late_s: float) -> BookDelta:
    return BookDelta(
        XBT.symbol,
        seq,
        seq,
        ((price, size),),
        (),
        clock.wall_ns() - int(late_s * S),
        clock.mono_ns(),
    )


async def test_frames_stamped_too_long_ago_make_the_book_stale_and_no_decision_is_taken() -> None:
    engine, _, recorder, clock = make_engine()
    engine.on_snapshot(stamped(snapshot(1, 1.0, 1.0), clock, late_s=0.5))  # on time: LIVE
    assert engine.book.state is BookState.LIVE
    engine.on_delta(late_delta(2, 43_500.0, 50.0, clock, late_s=3.0))  # bullish, but 3 s late
    assert engine.book.state is BookState.STALE
    assert recorder.signals == [], "no decision on a book that is not current"
    engine.on_delta(late_delta(3, 43_500.0, 60.0, clock, late_s=2.5))
    assert recorder.signals == [] and engine.book.state is BookState.STALE
    engine.on_delta(late_delta(4, 43_500.0, 70.0, clock, late_s=0.1))  # on time again
    assert engine.book.state is BookState.LIVE
    assert [s.action for s in recorder.signals] == [SignalAction.BUY]
    assert recorder.states == [
        (XBT.symbol, BookState.LIVE),
        (XBT.symbol, BookState.STALE),
        (XBT.symbol, BookState.LIVE),
    ]
    counters = engine.state().counters
    assert counters.stale_lag == 1, "one LIVE -> STALE change, however many late frames"


async def test_a_late_snapshot_is_loaded_but_not_traded_on() -> None:
    engine, _, recorder, clock = make_engine()
    engine.on_snapshot(stamped(snapshot(1, 4.0, 1.0), clock, late_s=10))
    assert engine.book.state is BookState.STALE
    assert recorder.signals == []
    assert engine.book.bid_count == 20, "kept for display"


async def test_the_lag_rule_can_be_switched_off_for_replays_of_old_frames() -> None:
    engine, _, recorder, clock = make_engine(policy=FreshnessPolicy(max_lag_s=0))
    engine.on_snapshot(stamped(snapshot(1, 4.0, 1.0), clock, late_s=86_400))
    assert engine.book.state is BookState.LIVE
    assert [s.action for s in recorder.signals] == [SignalAction.BUY]


async def test_the_watchdog_asks_again_for_a_snapshot_that_never_came() -> None:
    engine, feed, _, clock = make_engine(policy=FreshnessPolicy(resync_timeout_s=3))
    engine.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, "ws://x", recv_ns=clock.mono_ns()))
    engine.on_snapshot(snapshot(10, 1.0, 1.0, recv_ns=clock.mono_ns()))
    engine.on_delta(bid_delta(12, 43_500.0, 2.0, recv_ns=clock.mono_ns()))  # gap: resync asked
    assert feed.resyncs == [XBT.symbol]
    for _ in range(20):  # 5 s of watchdog rounds
        clock.advance(S // 4)
        engine.check_staleness()
    assert feed.resyncs == [XBT.symbol, XBT.symbol]
    assert engine.state().counters.resync_retries == 1


async def test_paper_position_on_a_book_down_too_long_is_closed_at_the_first_live_book() -> None:
    engine, _, recorder, clock = make_engine()
    engine.on_snapshot(snapshot(1, 4.0, 1.0, recv_ns=clock.mono_ns()))
    assert engine.ledger.position.quantity > 0
    engine.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, "gone", recv_ns=clock.mono_ns()))
    for _ in range(32):
        clock.advance(S)
        engine.check_staleness()
    await eventually(  # the protective flatten runs as its own task
        lambda: engine.state().kill_switch.phase is KillSwitchPhase.FLATTENING,
        what="a patient flatten waiting for prices",
    )
    assert engine.ledger.position.quantity > 0, "never closed against a book that is not LIVE"

    engine.on_snapshot(snapshot(2, 4.0, 1.0, recv_ns=clock.mono_ns()))  # the feed is back
    await eventually(
        lambda: engine.ledger.position.quantity == 0 and not engine.state().kill_switch.engaged,
        what="closed and released",
    )
    close = recorder.signals[-1]
    assert close.action is SignalAction.CLOSE and "not LIVE for 30s" in close.reason
    assert engine.state().kill_switch.phase is KillSwitchPhase.IDLE, "released once flat"
    engine.on_delta(bid_delta(3, 43_500.0, 9.0, recv_ns=clock.mono_ns()))
    assert recorder.signals[-1].action is SignalAction.BUY
    assert recorder.signals[-1].outcome is SignalOutcome.ACTED, "entries resume with the book"
    await engine.close()


async def test_hold_leaves_the_position_open_however_long_the_book_is_down() -> None:
    policy = FreshnessPolicy(not_live_grace_s=5, not_live_action=NotLiveAction.HOLD)
    engine, _, recorder, clock = make_engine(policy=policy)
    engine.on_snapshot(snapshot(1, 4.0, 1.0, recv_ns=clock.mono_ns()))
    engine.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, "gone", recv_ns=clock.mono_ns()))
    for _ in range(60):
        clock.advance(S)
        engine.check_staleness()
    await asyncio.sleep(0.02)
    assert engine.ledger.position.quantity > 0
    assert [s.action for s in recorder.signals] == [SignalAction.BUY]
    assert not engine.state().kill_switch.engaged


async def test_a_kill_switch_joining_a_patient_flatten_makes_it_answer_in_bounded_time() -> None:
    engine, _, recorder, clock = make_engine()
    engine.on_snapshot(snapshot(1, 4.0, 1.0, recv_ns=clock.mono_ns()))
    engine.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, "gone", recv_ns=clock.mono_ns()))
    for _ in range(32):
        clock.advance(S)
        engine.check_staleness()
    await eventually(
        lambda: engine.state().kill_switch.phase is KillSwitchPhase.FLATTENING,
        what="a patient flatten waiting for prices",
    )
    status: KillSwitchStatus = await asyncio.wait_for(engine.flatten_all(), timeout=10)
    assert status.phase is KillSwitchPhase.FAILED and "NOT FLAT" in status.detail
    assert engine.state().kill_switch.engaged, "a real kill switch holds"
    assert recorder.kill_switch == [status]
    await engine.close()


async def test_a_venue_not_online_takes_the_books_down_without_a_gap_until_it_is_online() -> None:
    engine, feed, recorder, clock = make_engine(policy=FreshnessPolicy(resync_timeout_s=1))
    now = clock.mono_ns
    engine.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, "ws://x", recv_ns=now()))
    engine.on_feed_event(FeedEvent(FeedEventKind.VENUE_STATUS, "online", recv_ns=now()))
    engine.on_snapshot(snapshot(1, 1.0, 1.0, recv_ns=now()))
    assert engine.book.state is BookState.LIVE
    engine.on_feed_event(FeedEvent(FeedEventKind.VENUE_STATUS, "cancel_only", recv_ns=now()))
    engine.on_feed_event(FeedEvent(FeedEventKind.VENUE_STATUS, "cancel_only", recv_ns=now()))
    assert engine.book.state is BookState.SYNCING
    assert engine.book.syncing_reason == "venue status cancel_only: no entries until it is online"
    engine.on_delta(bid_delta(2, 43_500.0, 50.0, recv_ns=now()))  # bullish, but not online
    assert recorder.signals == []
    for _ in range(20):  # 5 s of watchdog rounds: the feed holds the resync, none asked again
        clock.advance(S // 4)
        engine.check_staleness()
    counters = engine.state().counters
    assert (counters.gaps, counters.resyncs, counters.resync_retries) == (0, 0, 0)
    assert feed.resyncs == []
    engine.on_feed_event(FeedEvent(FeedEventKind.VENUE_STATUS, "online", recv_ns=now()))
    engine.on_snapshot(snapshot(3, 4.0, 1.0, recv_ns=now()))  # the feed's resync
    assert engine.book.state is BookState.LIVE
    assert [s.action for s in recorder.signals] == [SignalAction.BUY], "entries resume"
    await engine.close()
