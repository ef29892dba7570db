"""The engine wired to the real core parts, driven by book events as an adapter would send them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal

import pytest

from core.clock import ManualClock
from core.engine import Engine, EngineConfig, ModeChangeRefused
from core.engine_state import KillSwitchPhase
from core.enums import BookState, ContractType, Mode, Side, SignalAction
from core.events import BookDelta, BookSnapshot, Fill, RoundTrip, Signal, SignalOutcome
from core.instrument import Instrument
from core.ledger import BookedFill
from core.observer import EngineObserver
from core.ports import OrderRequest, OrderResult
from core.risk import RiskLimits
from core.strategy import StrategyParams

SYMBOL = "PF_XBTUSD"
XBT = Instrument(
    symbol=SYMBOL,
    contract_type=ContractType.LINEAR,
    tick_size=Decimal("0.5"),
    size_step=Decimal("0.0001"),
)
SECOND = 1_000_000_000


class RecordingFeed:
    """The engine's view of a feed is just `resync(product)`; record what it asks for."""

    def __init__(self) -> None:
        self.resyncs: list[str] = []

    async def run(self, sink: object) -> None:  # pragma: no cover - not used by these tests
        await asyncio.Event().wait()

    def resync(self, product: str) -> None:
        self.resyncs.append(product)


class Recorder(EngineObserver):
    def __init__(self) -> None:
        self.signals: list[Signal] = []
        self.fills: list[Fill] = []
        self.round_trips: list[RoundTrip] = []
        self.states: list[tuple[str, BookState]] = []

    def on_signal(self, signal: Signal) -> None:
        self.signals.append(signal)

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self.round_trips.append(round_trip)

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        self.states.append((product, state))


def levels(start: float, step: float, sizes: list[float]) -> tuple[tuple[float, float], ...]:
    return tuple((start + i * step, size) for i, size in enumerate(sizes))


def snapshot(seq: int, bid_size: float, ask_size: float, *, recv_ns: int = 0) -> BookSnapshot:
    """A 20-level book around 43,500 with uniform sizes per side."""
    return BookSnapshot(
        product=SYMBOL,
        seq=seq,
        bids=levels(43_500.0, -0.5, [bid_size] * 20),
        asks=levels(43_500.5, 0.5, [ask_size] * 20),
        venue_ts_ns=0,
        recv_ns=recv_ns,
    )


def bid_delta(seq: int, price: float, size: float, *, recv_ns: int = 0) -> BookDelta:
    return BookDelta(SYMBOL, seq, seq, ((price, size),), (), 0, recv_ns)


def make_engine(
    *,
    mode: Mode = Mode.DRY_RUN,
    risk: RiskLimits | None = None,
    strategy: StrategyParams | None = None,
    long_only: bool = False,
    journal: object | None = None,
    observers: Sequence[EngineObserver] = (),
) -> tuple[Engine, RecordingFeed, Recorder, ManualClock]:
    """An engine with a ``Recorder`` as its last observer, after ``observers``."""
    feed = RecordingFeed()
    recorder = Recorder()
    clock = ManualClock()
    config = EngineConfig(
        venue_name="test",
        instrument=XBT,
        mode=mode,
        strategy=strategy or StrategyParams(cooldown_s=0.0),
        risk=risk or RiskLimits(),
        trade_notional_usd=Decimal(100),
        taker_fee_rate=Decimal("0.0005"),
        long_only=long_only,
    )
    engine = Engine(
        config, feed=feed, clock=clock, observers=[*observers, recorder], journal=journal
    )  # type: ignore[arg-type]
    return engine, feed, recorder, clock


async def test_bullish_snapshot_buys_in_dry_run_and_the_ledger_holds_the_simulated_fill() -> None:
    engine, _, recorder, _ = make_engine()
    engine.on_snapshot(snapshot(100, bid_size=4.0, ask_size=1.0))

    [signal] = recorder.signals
    assert signal.number == 1
    assert signal.action is SignalAction.BUY
    assert signal.outcome is SignalOutcome.ACTED
    assert signal.reason == "Strong bullish imbalance (4.0x)"
    assert signal.price == Decimal("43500.5")
    assert signal.quantity == Decimal("0.0022")  # 100 USD / 43,500.5 rounded down to 0.0001
    assert engine.ledger.position.quantity == Decimal("0.0022")
    assert recorder.fills[0].price == Decimal("43500.5")
    state = engine.state()
    assert state.trades_executed == 1
    assert state.latency.count == 1


async def test_a_balanced_book_takes_no_decision_but_still_measures_latency() -> None:
    engine, _, recorder, clock = make_engine()
    engine.on_snapshot(snapshot(1, 1.0, 1.0, recv_ns=clock.mono_ns()))
    clock.advance(1000)
    engine.on_delta(bid_delta(2, 43_500.0, 1.1, recv_ns=clock.mono_ns() - 500))
    assert recorder.signals == []
    assert engine.latency.count == 2
    assert engine.latency.max_ns >= 500


async def test_a_sequence_gap_resyncs_only_that_product_and_no_decision_is_taken_until_a_new_snapshot() -> (
    None
):
    engine, feed, recorder, _ = make_engine()
    engine.on_snapshot(snapshot(10, 1.0, 1.0))
    engine.on_delta(bid_delta(12, 43_500.0, 50.0))  # seq 11 is missing

    assert feed.resyncs == [SYMBOL]
    assert engine.book.state is BookState.SYNCING
    assert (SYMBOL, BookState.SYNCING) in recorder.states
    decisions_before = engine.latency.count
    engine.on_delta(bid_delta(13, 43_500.0, 80.0))  # would be hugely bullish if applied
    assert recorder.signals == []
    assert engine.latency.count == decisions_before

    engine.on_snapshot(snapshot(20, 4.0, 1.0))
    assert engine.book.state is BookState.LIVE
    assert [s.action for s in recorder.signals] == [SignalAction.BUY]


async def test_kill_switch_in_paper_closes_the_position_and_blocks_new_entries() -> None:
    engine, _, recorder, _ = make_engine(mode=Mode.PAPER)
    engine.on_snapshot(snapshot(1, 4.0, 1.0))
    assert engine.ledger.position.quantity > 0

    status = await engine.flatten_all()

    assert status.phase is KillSwitchPhase.FLAT
    assert engine.ledger.position.quantity == 0
    assert recorder.signals[-1].action is SignalAction.CLOSE
    assert recorder.signals[-1].reason == "Kill switch: flatten all"
    assert len(recorder.round_trips) == 1
    engine.on_delta(bid_delta(2, 43_500.0, 9.0))  # still bullish: an entry would be wanted
    last = recorder.signals[-1]
    assert last.action is SignalAction.BUY
    assert last.outcome is SignalOutcome.BLOCKED
    assert "kill switch" in last.block_reason
    assert engine.ledger.position.quantity == 0


async def test_trades_per_day_limit_blocks_the_entry_with_its_reason() -> None:
    engine, _, recorder, _ = make_engine(risk=RiskLimits(max_trades_per_day=1))
    engine.on_snapshot(snapshot(1, 4.0, 1.0))
    engine.on_delta(bid_delta(2, 43_500.0, 0.0))  # irrelevant level change
    engine.on_delta(BookDelta(SYMBOL, 3, 3, (), ((43_500.5, 0.0),), 0, 0))  # would move mid
    assert engine.ledger.position.quantity > 0
    # close via reversal, then try again
    engine.on_snapshot(snapshot(10, 0.2, 1.0))
    assert engine.ledger.position.quantity == 0
    engine.on_snapshot(snapshot(20, 4.0, 1.0))
    last = recorder.signals[-1]
    assert last.outcome is SignalOutcome.BLOCKED
    assert "trades per day" in last.block_reason
    assert engine.state().blocked_total == 1


async def test_long_only_venue_reports_a_bearish_entry_as_ignored_and_does_not_trade() -> None:
    engine, _, recorder, _ = make_engine(long_only=True)
    engine.on_snapshot(snapshot(1, 1.0, 4.0))
    [signal] = recorder.signals
    assert signal.action is SignalAction.SELL
    assert signal.outcome is SignalOutcome.IGNORED
    assert signal.block_reason == "spot: no shorting"
    assert engine.ledger.position.quantity == 0
    assert engine.state().ignored_total == 1


class GatedJournal:
    """A journal whose fill commits complete only when the test says so."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.fills: list[Fill] = []
        self.signals: list[Signal] = []

    def record_signal(self, signal: Signal) -> None:
        self.signals.append(signal)

    def record_order(
        self,
        request: OrderRequest,
        result: OrderResult | None = None,
        *,
        wall_ns: int,
        signal_number: int | None = None,
    ) -> None:
        pass

    async def record_fills(self, booked: Sequence[BookedFill]) -> int:
        await self.gate.wait()
        self.fills.extend(b.fill for b in booked)
        return len(booked)

    async def flush(self) -> None:
        pass


async def test_no_decision_is_taken_until_the_fill_is_committed() -> None:
    journal = GatedJournal()
    engine, _, recorder, _ = make_engine(mode=Mode.PAPER, journal=journal)
    engine.on_snapshot(snapshot(1, 4.0, 1.0))
    assert engine.busy
    engine.on_snapshot(snapshot(5, 0.1, 1.0))  # a reversal the engine must not act on yet
    assert [s.action for s in recorder.signals] == [SignalAction.BUY]
    assert engine.state().counters.decisions_skipped == 1

    journal.gate.set()
    assert await engine.wait_idle(1.0)
    assert len(journal.fills) == 1
    engine.on_delta(BookDelta(SYMBOL, 6, 6, ((43_500.0, 0.1),), (), 0, 0))
    assert recorder.signals[-1].action is SignalAction.CLOSE


async def test_a_silent_feed_makes_the_book_stale_and_a_fresh_update_brings_it_back() -> None:
    engine, _, recorder, clock = make_engine()
    engine.on_snapshot(snapshot(1, 1.0, 1.0, recv_ns=clock.mono_ns()))
    clock.advance(11 * SECOND)
    engine.check_staleness()
    assert engine.book.state is BookState.STALE
    engine.on_delta(bid_delta(2, 43_500.0, 1.2, recv_ns=clock.mono_ns()))
    assert engine.book.state is BookState.LIVE
    assert [state for _, state in recorder.states][-2:] == [BookState.STALE, BookState.LIVE]


async def test_mode_cannot_change_with_an_open_position() -> None:
    engine, _, _, _ = make_engine(mode=Mode.PAPER)
    engine.on_snapshot(snapshot(1, 4.0, 1.0))
    with pytest.raises(ModeChangeRefused, match="close the open position"):
        engine.set_mode(Mode.DRY_RUN)
    await engine.flatten_all()
    engine.set_mode(Mode.DRY_RUN)
    assert engine.mode is Mode.DRY_RUN
    with pytest.raises(ModeChangeRefused, match="needs venue API keys"):
        engine.set_mode(Mode.LIVE)


async def test_signal_numbering_continues_from_a_resumed_session() -> None:
    feed = RecordingFeed()
    recorder = Recorder()
    config = EngineConfig(
        venue_name="test",
        instrument=XBT,
        mode=Mode.DRY_RUN,
        strategy=StrategyParams(cooldown_s=0.0),
        risk=RiskLimits(),
        trade_notional_usd=Decimal(100),
        taker_fee_rate=Decimal(0),
    )
    engine = Engine(
        config, feed=feed, clock=ManualClock(), observers=[recorder], first_signal_number=42
    )
    engine.on_snapshot(snapshot(1, 4.0, 1.0))
    assert recorder.signals[0].number == 42
    assert recorder.fills[0].side is Side.BUY


async def test_a_recorded_session_keeps_its_mode() -> None:
    feed = RecordingFeed()
    config = EngineConfig(
        venue_name="test",
        instrument=XBT,
        mode=Mode.PAPER,
        strategy=StrategyParams(),
        risk=RiskLimits(),
        trade_notional_usd=Decimal(100),
        taker_fee_rate=Decimal(0),
        mode_locked="session s1 records PAPER trading only",
    )
    engine = Engine(config, feed=feed, clock=ManualClock())
    with pytest.raises(ModeChangeRefused, match="session s1 records PAPER"):
        engine.set_mode(Mode.DRY_RUN)
    assert engine.mode is Mode.PAPER
