"""One trading state every order passes, and one submit path for the strategy and the kill
switch, seen through the engine."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal

from core.book import OrderBook
from core.clock import ManualClock
from core.engine.counters import EngineCounters
from core.engine.execution import Execution
from core.engine.mode import ModeSwitch
from core.engine.positions import Positions
from core.engine.recording import Recording
from core.engine_state import KillSwitchPhase
from core.enums import Mode, Side, SignalAction
from core.events import FeedEvent, FeedEventKind, SignalOutcome
from core.fills import PaperFills
from core.ledger import BookedFill
from core.observer import EngineObserver
from core.ports import OrderRequest, OrderResult
from core.risk import RiskLimits, RiskManager
from core.router import OrderRouter
from core.trading_state import Restriction, TradingGate, TradingState
from tests.core.engine.test_engine import SYMBOL, XBT, bid_delta, make_engine, snapshot
from tests.core.test_freshness import make_engine as make_patient_engine
from tests.waiting import eventually


async def test_pause_is_reducing_entries_are_blocked_and_exits_still_go_out() -> None:
    engine, _, recorder, _ = make_engine(mode=Mode.PAPER)
    engine.on_snapshot(snapshot(1, 4.0, 1.0))  # BUY
    engine.pause()
    assert (engine.trading.state, engine.trading.reason) == (TradingState.REDUCING, "paused")
    assert engine.state().trading == engine.trading
    engine.on_snapshot(snapshot(2, 0.1, 1.0))  # a reversal: the exit goes out
    assert recorder.signals[-1].action is SignalAction.CLOSE
    assert recorder.signals[-1].outcome is SignalOutcome.ACTED
    assert engine.ledger.position.quantity == 0
    engine.on_snapshot(snapshot(3, 4.0, 1.0))  # an entry is refused with the reason
    assert (recorder.signals[-1].outcome, recorder.signals[-1].block_reason) == (
        SignalOutcome.BLOCKED,
        "paused",
    )
    engine.resume()
    assert engine.trading.state is TradingState.ACTIVE


async def test_the_kill_switch_halts_while_it_flattens_then_reduces_until_resumed() -> None:
    engine, _, recorder, clock = make_patient_engine()
    engine.on_snapshot(snapshot(1, 4.0, 1.0, recv_ns=clock.mono_ns()))
    engine.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, "gone", recv_ns=clock.mono_ns()))
    flatten = asyncio.ensure_future(engine.flatten_all())  # waits: no LIVE book to close against
    await eventually(lambda: engine.trading.state is TradingState.HALTED, what="HALTED")
    assert engine.trading.reason == "kill switch flattening"
    skipped = engine.state().counters.decisions_skipped
    engine.on_snapshot(snapshot(2, 4.0, 1.0, recv_ns=clock.mono_ns()))  # LIVE again: it closes
    status = await asyncio.wait_for(flatten, 10)
    assert status.phase is KillSwitchPhase.FLAT
    assert engine.state().counters.decisions_skipped == skipped + 1, "no decision while HALTED"
    assert (engine.trading.state, engine.trading.reason) == (
        TradingState.REDUCING,
        "kill switch engaged",
    )
    engine.on_delta(bid_delta(3, 43_500.0, 9.0, recv_ns=clock.mono_ns()))
    assert recorder.signals[-1].block_reason == "kill switch engaged"
    engine.resume()
    assert engine.trading.state is TradingState.ACTIVE
    await engine.close()


async def test_decisions_held_by_a_caller_stay_held_when_a_flatten_ends_meanwhile() -> None:
    engine, _, recorder, _ = make_engine(mode=Mode.PAPER)
    engine.on_snapshot(snapshot(1, 4.0, 1.0))
    engine.halt_decisions(True)  # e.g. the session checking the venue before going live
    await engine.flatten_all()
    engine.resume()
    assert (engine.trading.state, engine.trading.reason) == (TradingState.HALTED, "decisions held")
    signals = len(recorder.signals)
    engine.on_snapshot(snapshot(2, 4.0, 1.0))
    assert len(recorder.signals) == signals
    engine.halt_decisions(False)
    engine.on_snapshot(snapshot(3, 4.0, 1.0))
    assert recorder.signals[-1].outcome is SignalOutcome.ACTED


class OrderJournal:
    """Keeps what the engine records of each order: (client id, status or None, signal)."""

    def __init__(self) -> None:
        self.orders: list[tuple[str, str | None, int | None]] = []

    def record_signal(self, signal: object) -> None:
        pass

    def record_order(
        self,
        request: OrderRequest,
        result: OrderResult | None = None,
        *,
        wall_ns: int,
        signal_number: int | None = None,
    ) -> None:
        status = None if result is None else result.status.value
        self.orders.append((request.client_order_id, status, signal_number))

    async def record_fills(self, booked: Sequence[BookedFill]) -> int:
        return len(booked)

    async def flush(self) -> None:
        pass


async def test_the_kill_switch_sends_its_close_down_the_strategys_path() -> None:
    journal = OrderJournal()
    engine, _, recorder, _ = make_engine(mode=Mode.PAPER, journal=journal)
    engine.on_snapshot(snapshot(1, 4.0, 1.0))  # the strategy's BUY
    assert await engine.wait_idle(5)
    await engine.flatten_all()  # the kill switch's CLOSE
    entry, close = recorder.signals[0].number, recorder.signals[-1].number
    [(buy_id, *_), _, (close_id, *_), _] = journal.orders
    assert journal.orders == [
        (buy_id, None, entry),  # sent
        (buy_id, "FILLED", entry),  # answered
        (close_id, None, close),
        (close_id, "FILLED", close),
    ]
    assert len(recorder.fills) == 2 and engine.ledger.position.quantity == 0


def paper_execution(clock: ManualClock) -> tuple[Execution, TradingGate, Positions, list[str]]:
    """The real submit path on its own, paper, with a live book around 43,500."""
    book = OrderBook(SYMBOL)
    book.apply_snapshot(snapshot(1, 1.0, 1.0))
    notices: list[str] = []
    counters, trading = EngineCounters(), TradingGate()
    positions = Positions(
        instrument=XBT, book=book, clock=clock, counters=counters, notice=notices.append
    )
    execution = Execution(
        book=book,
        router=OrderRouter(
            instrument=XBT,
            paper=PaperFills(taker_fee_rate=Decimal(0)),
            venue=None,
            taker_fee_rate=Decimal(0),
            clock=clock,
        ),
        mode=ModeSwitch(
            Mode.PAPER, locked="", positions=positions, can_trade_live=False, notice=notices.append
        ),
        trading=trading,
        positions=positions,
        risk=RiskManager(RiskLimits(), XBT),
        recording=Recording(None, on_failure=notices.append),
        counters=counters,
        observers=EngineObserver(),
        clock=clock,
        notice=notices.append,
        order_ids=lambda: "unused",
    )
    return execution, trading, positions, notices


def test_every_order_passes_the_trading_state_on_the_one_submit_path() -> None:
    execution, trading, positions, notices = paper_execution(ManualClock())
    entry = OrderRequest("l2c-entry", SYMBOL, Side.BUY, Decimal("0.0022"))
    assert execution.submit(entry, 1, 43_500.25) is None  # filled at once: nothing to wait for
    held = positions.position.quantity
    assert held == Decimal("0.0022")

    trading.restrict(Restriction.PAUSED)
    again = OrderRequest("l2c-again", SYMBOL, Side.BUY, Decimal("0.0022"))
    assert execution.submit(again, 2, 43_500.25) is None
    assert positions.position.quantity == held, "an entry does not go out while REDUCING"
    assert notices[-1] == "order l2c-again not sent: trading reducing (paused)"

    trading.restrict(Restriction.KILL_SWITCH_FLATTENING)
    close = OrderRequest("l2c-close", SYMBOL, Side.SELL, held, reduce_only=True)
    execution.submit(close, 3, 43_500.25)
    assert positions.position.quantity == 0, "a close goes out even while HALTED"


async def test_closing_the_engine_lets_a_running_flatten_end_instead_of_cutting_it_short() -> None:
    """A stop that leaves positions (POSITION_ON_EXIT=leave) while the trader's kill switch
    is flattening: the flatten still ends, and says how."""
    engine, _, _, clock = make_patient_engine()
    engine.on_snapshot(snapshot(1, 4.0, 1.0, recv_ns=clock.mono_ns()))
    assert engine.ledger.position.quantity != 0
    engine.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, "gone", recv_ns=clock.mono_ns()))
    flatten = asyncio.ensure_future(engine.flatten_all())  # waits: no LIVE book to close against
    await eventually(lambda: engine.trading.state is TradingState.HALTED, what="HALTED")
    closing = asyncio.ensure_future(engine.close())
    await asyncio.sleep(0)
    engine.on_snapshot(snapshot(2, 4.0, 1.0, recv_ns=clock.mono_ns()))  # LIVE again: it closes
    await asyncio.wait_for(closing, 30)
    status = await asyncio.wait_for(flatten, 30)
    assert status.phase is KillSwitchPhase.FLAT
    assert engine.ledger.position.quantity == 0
