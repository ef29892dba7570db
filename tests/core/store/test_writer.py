"""The writer: what is recorded is committed, once, and a resumed session continues exactly."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from core.enums import Mode, OrderStatus, Side, SignalAction
from core.events import SignalOutcome
from core.ledger import Position
from core.ports import OrderRequest, OrderResult, VenueFill
from core.store import (
    EquityPoint,
    GateEvaluation,
    RunEnd,
    SessionMismatchError,
    SessionReader,
    SessionStore,
    StoreClosedError,
    StoreError,
)
from tests.core.store.builders import PRODUCT, SECOND, FakeClock, PaperLedger, signal, spec


async def test_resume_returns_exactly_what_was_written(db_path: Path, clock: FakeClock) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    assert not store.resume.resumed
    assert store.resume.next_signal_number == 1
    ledger = PaperLedger()
    for number in range(1, 4):  # two round trips, then an open position
        store.record_signal(signal(number, clock()))
        await store.record_fills([ledger.open("43500.5", "0.0023", clock())])
        clock.advance(60)
        if number < 3:
            store.record_signal(signal(100 + number, clock(), SignalAction.CLOSE))
            await store.record_fills([ledger.close("43600.0", clock())])
            clock.advance(60)
    opened = ledger.entry
    assert opened is not None
    await store.close(RunEnd.INTERRUPTED)

    clock.advance(30)
    resumed = await SessionStore.open(db_path, spec(), clock=clock)
    state = resumed.resume
    await resumed.close()

    assert state.resumed
    assert state.position(PRODUCT) == Position(
        PRODUCT, Decimal("0.0023"), Decimal("43500.5"), opened.wall_ns, Decimal("0.05")
    )
    assert state.realized_pnl == ledger.realized == Decimal("0.45770")
    assert state.fees_paid == ledger.fees_paid == Decimal("0.25")
    assert state.next_signal_number == 103
    assert state.today.trades == 3  # acted BUY signals today; CLOSE is not an entry
    assert state.today.realized_pnl_usd == Decimal("0.45770") - Decimal("0.20")
    assert [run.how_ended for run in state.runs] == [RunEnd.INTERRUPTED, None]
    assert state.runs[-1].id == state.run_id
    assert state.crashed_run_ids == ()


async def test_a_new_session_starts_flat_with_signal_one(db_path: Path, clock: FakeClock) -> None:
    store = await SessionStore.open(db_path, spec("fresh"), clock=clock)
    await store.close()
    state = store.resume
    assert state.position(PRODUCT).is_flat
    assert (state.realized_pnl, state.fees_paid) == (Decimal(0), Decimal(0))
    assert state.today.day.isoformat() == "2024-06-01"
    assert len(state.runs) == 1


async def test_today_counts_only_the_current_utc_day(db_path: Path, clock: FakeClock) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    ledger = PaperLedger()
    store.record_signal(signal(1, clock()))
    await store.record_fills([ledger.open("100", "1", clock())])
    await store.record_fills([ledger.close("90", clock() + SECOND)])  # -10 - 0.10 yesterday
    clock.advance(86_400)
    store.record_signal(signal(2, clock()))
    store.record_signal(signal(3, clock(), outcome=SignalOutcome.BLOCKED, block_reason="limit"))
    await store.record_fills([ledger.open("100", "1", clock())])
    await store.record_fills([ledger.close("103", clock() + SECOND)])  # +3 - 0.10 today
    await store.close()

    again = await SessionStore.open(db_path, spec(), clock=clock)
    await again.close()
    assert again.resume.today.day.isoformat() == "2024-06-02"
    assert again.resume.today.trades == 1
    assert again.resume.today.realized_pnl_usd == Decimal("2.90")


async def test_a_fill_written_twice_is_stored_once_with_its_effects(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    ledger = PaperLedger()
    entry = ledger.open("100", "1", clock())
    close = ledger.close("110", clock() + SECOND)
    assert await store.record_fills([entry, close]) == 2
    assert await store.record_fills([entry]) == 0  # an old replay must not reopen the position
    assert await store.record_fills([close, entry]) == 0
    await store.close()

    with SessionReader(db_path) as reader:
        assert [f.fill_id for f in reader.fills("60days_kraken")] == ["fill-1", "fill-2"]
        assert len(reader.round_trips("60days_kraken")) == 1
        assert reader.positions("60days_kraken")[PRODUCT].is_flat
        data = reader.report_data("60days_kraken")
    assert data.fees_paid == Decimal("0.10")
    assert data.realized_pnl == Decimal("10")


async def test_an_awaited_fill_is_visible_to_another_connection_before_close(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    ledger = PaperLedger()
    store.record_signal(signal(1, clock()))
    request = OrderRequest("order-1", PRODUCT, Side.BUY, Decimal("1"))
    store.record_order(request, wall_ns=clock(), signal_number=1)
    await store.record_fills([ledger.open("100", "1", clock())])

    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT fill_id, price FROM fills").fetchall() == [("fill-1", "100")]
        # FIFO: what was queued before the fill is committed with it
        assert other.execute("SELECT number FROM signals").fetchall() == [(1,)]
        assert other.execute("SELECT client_order_id FROM orders").fetchall() == [("order-1",)]
        assert other.execute("SELECT quantity FROM positions").fetchall() == [("1",)]
    finally:
        other.close()
    await store.close()


async def test_fire_and_forget_records_are_all_committed_by_close(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    for number in range(1, 5001):
        store.record_signal(signal(number, clock() + number))
        store.record_equity(
            EquityPoint(clock() + number, Decimal(number), Decimal(0), Decimal(number), Decimal(1))
        )
    await store.close()
    with SessionReader(db_path) as reader:
        assert [s.number for s in reader.signals("60days_kraken")] == list(range(1, 5001))
        points = reader.equity_points("60days_kraken")
    assert len(points) == 5000
    assert points[-1].equity == Decimal(5000)


async def test_money_is_stored_as_exact_text(db_path: Path, clock: FakeClock) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    ledger = PaperLedger()
    await store.record_fills([ledger.open("43500.123456789012345", "0.00000001", clock(), "1E-9")])
    await store.close()
    db = sqlite3.connect(db_path)
    row = db.execute("SELECT price, quantity, fee, typeof(price) FROM fills").fetchone()
    db.close()
    assert row == ("43500.123456789012345", "0.00000001", "0.000000001", "text")


async def test_orders_are_updated_with_the_venue_answer_not_duplicated(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    request = OrderRequest("cli-7", PRODUCT, Side.SELL, Decimal("0.5"), reduce_only=True)
    store.record_order(request, wall_ns=clock(), signal_number=7)
    filled = OrderResult(
        "cli-7", OrderStatus.FILLED, "venue-99", (VenueFill(Decimal("100"), Decimal("0.5")),)
    )
    store.record_order(request, filled, wall_ns=clock() + SECOND)
    store.record_order(request, wall_ns=clock() + 2 * SECOND)  # a late "sent" changes nothing
    await store.close()
    with SessionReader(db_path) as reader:
        (order,) = reader.orders("60days_kraken")
    assert (order.status, order.venue_order_id, order.signal_number) == ("FILLED", "venue-99", 7)
    assert order.reduce_only
    assert order.updated_ns == clock() + SECOND


async def test_latency_gates_and_equity_come_back_from_the_reader(
    db_path: Path, clock: FakeClock
) -> None:
    class Histogram:
        count, sum_ns, min_ns, max_ns = 3, 6000, 1000, 3000

        def bucket_counts(self) -> list[tuple[int, int]]:
            return [(1000, 1), (2000, 1), (3000, 1)]

    store = await SessionStore.open(db_path, spec(), clock=clock)
    histogram = Histogram()
    store.record_latency("tick_to_decision", histogram, clock())
    histogram.count = 4
    store.record_latency("tick_to_decision", histogram, clock() + SECOND)
    store.record_gate_evaluation(GateEvaluation(clock(), "5→6", False, {"days": "1.5"}))
    await store.close()
    with SessionReader(db_path) as reader:
        latency = reader.latency_histograms(store.run_id)
        gates = reader.gate_evaluations("60days_kraken")
    assert latency == {
        "tick_to_decision": {
            "count": 4,
            "sum_ns": 6000,
            "min_ns": 1000,
            "max_ns": 3000,
            "buckets": [[1000, 1], [2000, 1], [3000, 1]],
        }
    }
    assert gates == [GateEvaluation(clock(), "5→6", False, {"days": "1.5"})]


@pytest.mark.parametrize(
    ("field", "value"),
    [("venue", "binance_us"), ("symbol", "PF_ETHUSD"), ("mode", Mode.LIVE)],
)
async def test_resuming_on_another_market_is_refused_with_one_line(
    db_path: Path, clock: FakeClock, field: str, value: object
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    await store.close()
    with pytest.raises(SessionMismatchError) as refused:
        await SessionStore.open(db_path, spec(**{field: value}), clock=clock)
    message = str(refused.value)
    assert isinstance(refused.value, ValueError)
    assert "\n" not in message
    assert "kraken PF_XBTUSD" in message
    assert "choose another --session name" in message
    with SessionReader(db_path) as reader:
        assert len(reader.runs("60days_kraken")) == 1  # the refused open left no trace


async def test_secrets_in_parameters_are_refused(db_path: Path, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="secret"):
        await SessionStore.open(
            db_path, spec(parameters={"kraken": {"api_secret": "abc"}}), clock=clock
        )


async def test_a_bad_value_is_refused_to_the_caller_and_the_writer_keeps_going(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    with pytest.raises(ValueError, match="finite"):
        store.record_signal(signal(1, clock(), price=Decimal("NaN")))
    store.record_signal(signal(2, clock()))
    await store.close()
    with SessionReader(db_path) as reader:
        assert [s.number for s in reader.signals("60days_kraken")] == [2]


async def test_recording_after_close_is_an_error_and_close_is_idempotent(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    await store.close()
    await store.close()
    with pytest.raises(StoreClosedError):
        store.record_signal(signal(1, clock()))


async def test_the_heartbeat_keeps_last_alive_fresh(db_path: Path, clock: FakeClock) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock, heartbeat_s=0.01)
    started = clock()
    clock.advance(42)

    async def last_alive() -> int:
        with SessionReader(db_path) as reader:
            return reader.runs("60days_kraken")[-1].last_alive_ns

    refreshed = False
    for _ in range(500):  # bounded: 5 s at most
        refreshed = await last_alive() == started + 42 * SECOND
        if refreshed:
            break
        await asyncio.sleep(0.01)
    await store.close()
    assert refreshed  # while running, with nothing recorded: only the heartbeat writes


async def test_how_a_run_ended_is_recorded(db_path: Path, clock: FakeClock) -> None:
    async with await SessionStore.open(db_path, spec(), clock=clock):
        clock.advance(10)
    with pytest.raises(RuntimeError):
        async with await SessionStore.open(db_path, spec(), clock=clock):
            clock.advance(10)
            raise RuntimeError("engine bug")
    store = await SessionStore.open(db_path, spec(), clock=clock)
    clock.advance(10)
    await store.close(RunEnd.INTERRUPTED)
    with SessionReader(db_path) as reader:
        runs = reader.runs("60days_kraken")
    assert [r.how_ended for r in runs] == [RunEnd.COMPLETED, RunEnd.CRASHED, RunEnd.INTERRUPTED]
    assert all(r.ended_ns == r.started_ns + 10 * SECOND for r in runs)


def test_records_queued_when_the_loop_shuts_down_without_close_are_kept(
    db_path: Path, clock: FakeClock
) -> None:
    async def forgetful_engine() -> None:
        store = await SessionStore.open(db_path, spec(), clock=clock)
        for number in range(1, 101):
            store.record_signal(signal(number, clock()))
        # returns without close(): asyncio.run cancels the writer task

    asyncio.run(forgetful_engine())
    with SessionReader(db_path) as reader:
        assert len(reader.signals("60days_kraken")) == 100
        (run,) = reader.runs("60days_kraken")
    assert run.how_ended is RunEnd.INTERRUPTED


async def test_a_record_the_database_cannot_hold_is_dropped_alone(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    store.record_signal(signal(1, clock()))
    store.record_signal(signal(2**70, clock()))  # no SQLite integer holds it
    store.record_signal(signal(3, clock()))
    await store.close()
    assert store.dropped == 1
    with SessionReader(db_path) as reader:
        assert [s.number for s in reader.signals("60days_kraken")] == [1, 3]


async def test_a_fill_id_reused_for_another_fill_is_refused_not_skipped(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    first = PaperLedger()
    await store.record_fills([first.open("100", "1", clock())])
    restarted = PaperLedger()  # a buggy engine whose fill ids start again at fill-1
    again = restarted.open("105", "2", clock() + SECOND)
    fresh = replace(again, fill=replace(again.fill, fill_id="fill-new"))
    with pytest.raises(StoreError, match="'fill-1' is already stored for another fill"):
        await store.record_fills([fresh, again])
    store.record_signal(signal(1, clock()))  # the writer carries on
    await store.close()
    with SessionReader(db_path) as reader:
        (fill,) = reader.fills("60days_kraken")  # the whole refused call left nothing behind
        assert fill.price == Decimal("100")
        assert reader.positions("60days_kraken")[PRODUCT].quantity == Decimal("1")
        assert len(reader.signals("60days_kraken")) == 1


async def test_a_signal_number_reused_for_another_signal_is_counted_as_dropped(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    store.record_signal(signal(1, clock()))
    store.record_signal(signal(1, clock()))  # the same signal again: harmless
    store.record_signal(signal(1, clock() + SECOND, SignalAction.CLOSE))  # a different one
    await store.close()
    assert store.dropped == 1
    with SessionReader(db_path) as reader:
        (stored,) = reader.signals("60days_kraken")
    assert stored.action is SignalAction.BUY
