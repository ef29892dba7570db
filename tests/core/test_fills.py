"""Paper fills: walk the book, pay the taker fee, never fill more than the book shows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.book import OrderBook
from core.enums import Side
from core.fills import PaperFills, average_price
from tests.core.factories import inverse_instrument, linear_instrument, snapshot

D = Decimal
T = 1_700_000_000_000_000_000


def book(bids: list[tuple[float, float]], asks: list[tuple[float, float]]) -> OrderBook:
    b = OrderBook("PF_XBTUSD")
    b.apply_snapshot(snapshot(1, bids, asks))
    return b


BOOK = [(50000.0, 0.5), (49999.5, 1.0)], [(50000.5, 0.1), (50001.0, 0.2), (50002.0, 5.0)]
MID = 50000.25


def buy(quantity: str, b: OrderBook | None = None, rate: str = "0.0005"):
    b = b or book(*BOOK)
    return PaperFills(taker_fee_rate=D(rate)).execute_market(
        b,
        linear_instrument(),
        Side.BUY,
        D(quantity),
        client_order_id="c1",
        now_wall_ns=T,
        decision_mid=MID,
    )


def test_a_market_buy_walks_the_asks_best_first_one_fill_per_level() -> None:
    execution = buy("0.25")
    assert [(f.price, f.quantity) for f in execution.fills] == [
        (D("50000.5"), D("0.1000")),
        (D("50001.0"), D("0.1500")),
    ]
    assert [f.fill_id for f in execution.fills] == ["c1-1", "c1-2"]
    assert all(f.side is Side.BUY and f.wall_ns == T for f in execution.fills)
    assert execution.filled == D("0.25")
    assert execution.complete
    # (0.1 x 50000.5 + 0.15 x 50001.0) / 0.25
    assert execution.average_price == D("50000.8")


def test_taker_fee_is_paid_on_each_fill_notional() -> None:
    execution = buy("0.25")
    assert [f.fee for f in execution.fills] == [D("2.50002500"), D("3.75007500")]
    assert execution.fee == D("6.25010000")


def test_fees_round_half_up_to_a_hundred_millionth() -> None:
    # 0.0001 x 50000.5 = 5.00005 USD; x 0.0005 = 0.002500025 -> 0.00250003
    execution = buy("0.0001")
    assert execution.fee == D("0.00250003")


def test_slippage_is_measured_against_the_decision_mid_positive_when_worse() -> None:
    execution = buy("0.25")
    # (50000.8 - 50000.25) / 50000.25 x 10_000 = 0.10999945 bps
    assert execution.slippage_bps == D("0.1100")
    assert execution.fills[0].slippage_bps == D("0.0500")
    sell = PaperFills(taker_fee_rate=D(0)).execute_market(
        book(*BOOK),
        linear_instrument(),
        Side.SELL,
        D("1"),
        client_order_id="c2",
        now_wall_ns=T,
        decision_mid=MID,
    )
    assert [(f.price, f.quantity) for f in sell.fills] == [
        (D("50000.0"), D("0.5000")),
        (D("49999.5"), D("0.5000")),
    ]
    assert sell.slippage_bps == D("0.1000")  # (50000.25 - 49999.75) / 50000.25 x 10_000


def test_partial_depth_fills_only_what_the_book_shows() -> None:
    thin = book([(50000.0, 0.5)], [(50000.5, 0.1), (50001.0, 0.2)])
    execution = buy("1.0", thin)
    assert execution.filled == D("0.3000")
    assert execution.unfilled == D("0.7000")
    assert not execution.complete


def test_an_empty_side_fills_nothing() -> None:
    execution = buy("1.0", book([(50000.0, 0.5)], []))
    assert execution.fills == ()
    assert execution.filled == 0
    assert execution.average_price is None
    assert (execution.fee, execution.slippage_bps) == (0, 0)


def test_paper_fills_do_not_change_the_public_book() -> None:
    b = book(*BOOK)
    before = b.top(10)
    buy("3.0", b)
    assert b.top(10) == before


def test_a_quantity_off_the_size_step_fills_only_whole_steps() -> None:
    execution = buy("0.00015")
    assert execution.filled == D("0.0001")
    assert execution.unfilled == D("0.00005")


def test_a_dust_level_below_one_size_step_is_skipped() -> None:
    execution = buy("0.1", book([], [(50000.5, 0.00001), (50001.0, 1.0)]))
    assert [f.price for f in execution.fills] == [D("50001.0")]


def test_inverse_contracts_pay_fees_on_contract_value_and_average_harmonically() -> None:
    b = OrderBook("PI_XBTUSD")
    b.apply_snapshot(snapshot(1, [(50000.0, 1000.0)], [(50000.5, 100.0), (50010.0, 1000.0)]))
    execution = PaperFills(taker_fee_rate=D("0.0005")).execute_market(
        b,
        inverse_instrument(),
        Side.BUY,
        D(300),
        client_order_id="c3",
        now_wall_ns=T,
        decision_mid=50000.25,
    )
    assert [(f.price, f.quantity, f.fee) for f in execution.fills] == [
        (D("50000.5"), D(100), D("0.05000000")),
        (D("50010.0"), D(200), D("0.10000000")),
    ]
    # 300 contracts / (100/50000.5 + 200/50010.0) BTC
    expected = (D(300) / (D(100) / D("50000.5") + D(200) / D("50010.0"))).quantize(D("1e-10"))
    assert execution.average_price == expected


def test_average_price_of_no_fills_is_none() -> None:
    assert average_price(linear_instrument(), []) is None


def test_a_negative_fee_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="fee rate"):
        PaperFills(taker_fee_rate=D("-0.0001"))


def test_a_negative_quantity_is_refused() -> None:
    with pytest.raises(ValueError, match="quantity"):
        buy("-1")


def test_a_zero_quantity_fills_nothing() -> None:
    execution = buy("0")
    assert (execution.fills, execution.filled, execution.complete) == ((), 0, True)


def test_extra_slippage_moves_each_fill_against_us_and_zero_changes_nothing() -> None:
    plain = buy("0.25")
    b = book(*BOOK)
    worse = PaperFills(taker_fee_rate=D("0.0005"), extra_slippage_bps=D(2)).execute_market(
        b,
        linear_instrument(),
        Side.BUY,
        D("0.25"),
        client_order_id="c1",
        now_wall_ns=T,
        decision_mid=MID,
    )
    sell = PaperFills(taker_fee_rate=D("0.0005"), extra_slippage_bps=D(2)).execute_market(
        b,
        linear_instrument(),
        Side.SELL,
        D("0.5"),
        client_order_id="c2",
        now_wall_ns=T,
        decision_mid=MID,
    )
    assert [f.price for f in worse.fills] == [D("50010.5001"), D("50011.0002")]
    assert [f.price for f in sell.fills] == [D("49990.0000")]
    assert worse.slippage_bps > plain.slippage_bps
    # Fees follow the (worse) price actually paid.
    assert worse.fills[0].fee == D("2.50052501")  # 0.0005 x 0.1 x 50010.5001, half-up
    zero = PaperFills(taker_fee_rate=D("0.0005"), extra_slippage_bps=D(0))
    assert (
        zero.execute_market(
            book(*BOOK),
            linear_instrument(),
            Side.BUY,
            D("0.25"),
            client_order_id="c1",
            now_wall_ns=T,
            decision_mid=MID,
        )
        == plain
    )


def test_negative_extra_slippage_is_price_improvement() -> None:
    better = PaperFills(taker_fee_rate=D(0), extra_slippage_bps=D(-1)).execute_market(
        book(*BOOK),
        linear_instrument(),
        Side.BUY,
        D("0.1"),
        client_order_id="c1",
        now_wall_ns=T,
        decision_mid=MID,
    )
    assert better.fills[0].price == D("49995.49995")
