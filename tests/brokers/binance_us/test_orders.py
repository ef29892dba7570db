"""Order parameters, statuses, and the fills the ledger books when commission is in the asset
received: the strategy holds what landed (rounded down to the step), fees are in USD, and per
fill ``quantity x price + fee`` is exactly the quote spent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokers.binance_us import Execution, OrderRefused, ledger_fills, order_params, rules_from_wire
from brokers.binance_us.orders import status_of
from brokers.binance_us.wire import SymbolInfo
from core.enums import OrderStatus, OrderType, Side
from core.ports import OrderRequest
from tests.brokers.binance_us.test_filters import LOT, NOTIONAL, PRICE

RULES = rules_from_wire(
    SymbolInfo(
        "BTCUSDT", "TRADING", "BTC", "USDT", ["LIMIT", "MARKET"], True, [PRICE, LOT, NOTIONAL]
    )
)
RATE = Decimal("0.006")
D = Decimal


def test_a_market_order_asks_for_the_full_answer_with_our_client_id() -> None:
    order = OrderRequest("l2c-0123456789abcdef", "btcusdt", Side.BUY, D("0.00229"))
    assert order_params(order, RULES) == [
        ("symbol", "BTCUSDT"),
        ("side", "BUY"),
        ("type", "MARKET"),
        ("quantity", "0.00229"),
        ("newClientOrderId", "l2c-0123456789abcdef"),
        ("newOrderRespType", "FULL"),
    ]


def test_a_limit_ioc_order_is_limit_with_time_in_force_ioc() -> None:
    order = OrderRequest(
        "l2c-1", "BTCUSDT", Side.SELL, D("0.001"), OrderType.LIMIT_IOC, D("43500.10")
    )
    params = dict(order_params(order, RULES))
    assert (params["type"], params["timeInForce"], params["price"]) == ("LIMIT", "IOC", "43500.1")


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        (OrderRequest("bad id!", "BTCUSDT", Side.BUY, D("0.001")), "client order id"),
        (OrderRequest("x" * 37, "BTCUSDT", Side.BUY, D("0.001")), "client order id"),
        (OrderRequest("l2c-1", "BTCUSDT", Side.BUY, D("0.0000001")), "LOT_SIZE"),
        (
            OrderRequest("l2c-1", "BTCUSDT", Side.BUY, D("0.0001"), OrderType.LIMIT_IOC, D("1")),
            "NOTIONAL",
        ),
    ],
)
def test_an_order_the_venue_would_refuse_is_refused_before_sending(
    order: OrderRequest, reason: str
) -> None:
    with pytest.raises(OrderRefused, match=reason) as caught:
        order_params(order, RULES)
    assert not caught.value.retryable
    assert str(caught.value).startswith("Binance.us order refused before sending: ")


def test_a_buy_paying_commission_in_btc_holds_what_landed_rounded_down_to_the_step() -> None:
    executions = [
        Execution(D("43500.00"), D("0.00100"), D("0.00000100"), "BTC", "1"),
        Execution(D("43500.50"), D("0.00130"), D("0.00000130"), "BTC", "2"),
    ]
    settlement = ledger_fills(Side.BUY, executions, RULES, estimate_rate=RATE)
    landed = D("0.00230") - D("0.00000230")
    assert settlement.base_change == landed == D("0.0022977")
    assert settlement.held_change == D("0.00229")
    assert settlement.dust == D("0.0000077")
    assert sum(f.quantity for f in settlement.fills) == D("0.00229")
    for fill, execution in zip(settlement.fills, executions, strict=True):
        assert fill.price == execution.price  # the venue's price, unchanged
        assert fill.quantity * fill.price + fill.fee == execution.quantity * execution.price
    # Every booked quantity stays on the step; the base not held came off the last fill.
    assert [f.quantity for f in settlement.fills] == [D("0.00100"), D("0.00129")]
    assert str(settlement.fills[1].quantity) == "0.00129"
    # The fee is the commission plus the sub-step remainder, valued at the fill it came off.
    commission_usd = D("0.00000100") * D("43500.00") + D("0.00000130") * D("43500.50")
    remainder_usd = settlement.dust * D("43500.50")
    total_fee = sum(f.fee for f in settlement.fills)
    assert total_fee == (D("0.00230") - D("0.00229")) * D("43500.50")
    assert abs(total_fee - (commission_usd + remainder_usd)) < D("0.000001")


def test_a_buy_paying_commission_in_bnb_keeps_the_quantity_and_estimates_the_fee() -> None:
    executions = [Execution(D("43500"), D("0.00229"), D("0.0001"), "BNB", "9")]
    settlement = ledger_fills(Side.BUY, executions, RULES, estimate_rate=RATE)
    (fill,) = settlement.fills
    assert fill.quantity == D("0.00229")
    assert fill.fee == (D("0.00229") * D("43500") * RATE).quantize(D("1e-8"))


def test_a_sell_pays_commission_in_usdt_and_sells_exactly_the_quantity() -> None:
    executions = [Execution(D("43510"), D("0.00229"), D("0.09963790"), "USDT", "3")]
    settlement = ledger_fills(Side.SELL, executions, RULES, estimate_rate=RATE)
    (fill,) = settlement.fills
    assert (fill.quantity, fill.fee) == (D("0.00229"), D("0.09963790"))
    assert settlement.held_change == settlement.base_change == D("-0.00229")


def test_a_fill_left_with_nothing_passes_its_cost_on_so_no_cost_is_lost() -> None:
    # The last fill lands less than the sub-step remainder that has to come off the order.
    executions = [
        Execution(D("43500"), D("0.00300"), D("0.0000030"), "BTC", "1"),
        Execution(D("43501"), D("0.00001"), D("0.0000095"), "BTC", "2"),
    ]
    settlement = ledger_fills(Side.BUY, executions, RULES, estimate_rate=RATE)
    assert settlement.held_change == D("0.00299")
    (fill,) = settlement.fills  # the second fill holds nothing: its cost moved over
    assert fill.quantity == D("0.00299")
    spent = sum(e.quantity * e.price for e in executions)
    assert fill.quantity * fill.price + fill.fee == spent


@pytest.mark.parametrize(
    ("venue", "executed", "status"),
    [
        ("FILLED", "1", OrderStatus.FILLED),
        ("EXPIRED", "0.4", OrderStatus.PARTIALLY_FILLED),
        ("EXPIRED", "0", OrderStatus.NOT_FILLED),
        ("EXPIRED_IN_MATCH", "0", OrderStatus.NOT_FILLED),
        ("NEW", "0", OrderStatus.OPEN),
        ("REJECTED", "0", OrderStatus.REJECTED),
        ("SOMETHING_NEW", "0", OrderStatus.UNKNOWN),
    ],
)
def test_venue_statuses_in_core_words(venue: str, executed: str, status: OrderStatus) -> None:
    assert status_of(venue, D(executed), D(1)) is status
