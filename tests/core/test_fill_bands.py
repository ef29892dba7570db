"""Fill bands: the engine's paper orders, shadowed under later and costlier execution."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.book import OrderBook
from core.clock import ManualClock
from core.enums import Mode, OrderStatus, Side
from core.events import RoundTrip
from core.fill_bands import OPTIMISTIC, PESSIMISTIC, ExecutionModel, FillBands
from core.ports import OrderRequest, OrderResult
from tests.core.factories import kraken_delta, linear_instrument, snapshot

D = Decimal
MS = 1_000_000
LATE = ExecutionModel("late", latency_ms=100.0)
ASIS = ExecutionModel("as-is")


def setup(*models: ExecutionModel, rate: str = "0") -> tuple[FillBands, OrderBook, ManualClock]:
    clock = ManualClock(mono_ns=0)
    book = OrderBook("PF_XBTUSD")
    book.apply_snapshot(snapshot(1, [(100.0, 5.0)], [(101.0, 5.0)]))
    bands = FillBands(
        instrument=linear_instrument(), taker_fee_rate=D(rate), clock=clock, models=models
    )
    bands.watch(book)
    return bands, book, clock


def order(side: Side, qty: str = "1", *, close: bool = False, n: int = 1) -> OrderRequest:
    return OrderRequest(f"o{n}", "PF_XBTUSD", side, D(qty), reduce_only=close)


def test_a_zero_latency_band_fills_at_once_against_the_decisions_book() -> None:
    bands, book, clock = setup(ASIS)
    bands.on_order(order(Side.BUY), None)
    book.apply_delta(kraken_delta(2, "sell", 101.0, 0.0))  # the ask leaves right after
    book.apply_delta(kraken_delta(3, "sell", 105.0, 5.0))
    clock.advance(10 * MS)
    bands.on_order(order(Side.SELL, close=True, n=2), None)
    (result,) = bands.results()
    (trip,) = result.round_trips
    assert (trip.entry_price, trip.exit_price) == (D(101), D(100))
    assert result.net_pnl == D(-1)


def test_a_late_band_fills_against_the_book_standing_when_the_order_comes_due() -> None:
    bands, book, clock = setup(LATE)
    bands.on_order(order(Side.BUY), None)
    clock.advance(50 * MS)
    bands.release_due(clock.mono_ns())  # not due yet: nothing fills
    assert bands.results()[0].orders == 0
    book.apply_delta(kraken_delta(2, "sell", 101.0, 0.0))
    book.apply_delta(kraken_delta(3, "sell", 102.0, 5.0))
    clock.advance(60 * MS)
    bands.release_due(clock.mono_ns())
    (result,) = bands.results()
    assert result.orders == 1
    assert result.open_quantity == D(1)
    bands.on_order(order(Side.SELL, close=True, n=2), None)
    bands.finish()
    (trip,) = bands.results()[0].round_trips
    assert trip.entry_price == D(102)
    assert trip.opened_wall_ns == ManualClock().wall_ns() + 100 * MS


def test_a_close_sent_before_a_late_entry_filled_closes_after_it_in_order() -> None:
    bands, _book, clock = setup(LATE)
    bands.on_order(order(Side.SELL), None)
    clock.advance(20 * MS)
    bands.on_order(order(Side.BUY, close=True, n=2), None)
    clock.advance(200 * MS)
    bands.release_due(clock.mono_ns())
    (result,) = bands.results()
    assert result.open_quantity == 0
    assert len(result.round_trips) == 1


def test_pessimistic_costs_more_than_optimistic_on_the_same_decisions() -> None:
    bands, _book, clock = setup(PESSIMISTIC, OPTIMISTIC, rate="0.0005")
    for n in range(0, 6, 2):
        bands.on_order(order(Side.BUY, n=n), None)
        clock.advance(300 * MS)
        bands.release_due(clock.mono_ns())
        bands.on_order(order(Side.SELL, close=True, n=n + 1), None)
        clock.advance(300 * MS)
        bands.release_due(clock.mono_ns())
    pessimistic, optimistic = bands.results()
    assert len(pessimistic.round_trips) == len(optimistic.round_trips) == 3
    assert pessimistic.net_pnl < optimistic.net_pnl
    assert pessimistic.fees > 0


def test_live_orders_and_venue_answers_are_never_shadowed() -> None:
    bands, _book, _clock = setup(ASIS)
    bands.on_order(order(Side.BUY), OrderResult("o1", OrderStatus.FILLED))
    bands.watch(bands._book, lambda: Mode.LIVE)  # type: ignore[arg-type]
    bands.on_order(order(Side.BUY), None)
    assert bands.results()[0].orders == 0


def test_a_close_when_the_band_is_flat_sends_nothing() -> None:
    bands, _book, _clock = setup(ASIS)
    bands.on_order(order(Side.SELL, close=True), None)
    assert bands.results()[0].orders == 0


def test_a_thin_book_is_counted_as_a_short_fill_not_invented() -> None:
    bands, _book, _clock = setup(ASIS)
    bands.on_order(order(Side.BUY, "8"), None)
    (result,) = bands.results()
    assert (result.short_orders, result.open_quantity) == (1, D(5))


def test_a_model_describes_itself_and_refuses_negative_latency() -> None:
    assert PESSIMISTIC.describe() == "+250 ms, +2.0 bps"
    assert OPTIMISTIC.describe() == "-1.0 bps"
    with pytest.raises(ValueError, match="latency"):
        ExecutionModel("x", latency_ms=-1)


def test_with_a_scheduler_a_late_fill_is_booked_when_its_timer_fires() -> None:
    clock = ManualClock(mono_ns=0)
    book = OrderBook("PF_XBTUSD")
    book.apply_snapshot(snapshot(1, [(100.0, 5.0)], [(101.0, 5.0)]))
    timers: list[tuple[float, object]] = []
    bands = FillBands(
        instrument=linear_instrument(),
        taker_fee_rate=D(0),
        clock=clock,
        models=(LATE,),
        schedule=lambda delay, callback: timers.append((delay, callback)),
    )
    bands.watch(book)
    bands.on_order(order(Side.BUY), None)
    ((delay, fire),) = timers
    assert delay == pytest.approx(0.1)
    book.apply_delta(kraken_delta(2, "sell", 101.0, 0.0))
    book.apply_delta(kraken_delta(3, "sell", 103.0, 5.0))
    clock.advance(100 * MS)
    fire()  # type: ignore[operator]
    bands.on_order(order(Side.SELL, close=True, n=2), None)
    bands.finish()
    (trip,) = bands.results()[0].round_trips
    assert trip.entry_price == D(103)


def trip_of(side: Side) -> RoundTrip:
    return RoundTrip("PF_XBTUSD", side, D(1), D(101), D(100), D(-1), D(0), D(-1), 1, 2)


def test_every_band_counts_the_same_trades_and_says_which_it_could_not_fill() -> None:
    bands, book, clock = setup(ASIS, LATE)
    bands.on_order(order(Side.BUY), None)  # ASIS fills now; LATE comes due in 100 ms
    book.apply_delta(kraken_delta(2, "sell", 101.0, 0.0))  # the ask side empties meanwhile
    clock.advance(150 * MS)
    bands.release_due(clock.mono_ns())
    bands.on_order(order(Side.SELL, close=True, n=2), None)
    bands.on_round_trip(trip_of(Side.BUY))  # the engine's own round trip of that decision
    bands.finish()
    asis, late = bands.results()
    default = bands.default()
    assert asis.trade_count == late.trade_count == default.trade_count == 1
    assert (len(asis.round_trips), len(late.round_trips)) == (1, 0)
    assert (asis.unfilled_entries, late.unfilled_entries) == (0, 1)


def test_a_round_trip_of_a_position_opened_before_this_run_is_in_no_band() -> None:
    bands, _book, _clock = setup(ASIS)
    bands.on_order(order(Side.SELL, close=True), None)  # closes what a resumed session held
    bands.on_round_trip(trip_of(Side.BUY))
    default = bands.default()
    assert (default.trade_count, default.carried_in) == (0, 1)
    assert bands.results()[0].trade_count == 0
