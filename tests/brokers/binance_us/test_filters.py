"""exchangeInfo filters → trading rules and instruments; orders refused with a reason, unsent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokers.binance_us import SymbolRules, rules_from_wire
from brokers.binance_us.wire import SymbolInfo
from core.enums import ContractType, OrderType

PRICE = {
    "filterType": "PRICE_FILTER",
    "minPrice": "0.01000000",
    "maxPrice": "1000000.00000000",
    "tickSize": "0.01000000",
}
LOT = {
    "filterType": "LOT_SIZE",
    "minQty": "0.00001000",
    "maxQty": "9000.00000000",
    "stepSize": "0.00001000",
}
NOTIONAL = {
    "filterType": "NOTIONAL",
    "minNotional": "10.00000000",
    "applyMinToMarket": True,
    "maxNotional": "9000000.00000000",
    "applyMaxToMarket": False,
    "avgPriceMins": 5,
}


def info(*filters: dict[str, object], status: str = "TRADING") -> SymbolInfo:
    return SymbolInfo(
        symbol="BTCUSDT",
        status=status,
        baseAsset="BTC",
        quoteAsset="USDT",
        orderTypes=["LIMIT", "MARKET"],
        filters=list(filters),
    )


@pytest.fixture
def rules() -> SymbolRules:
    return rules_from_wire(info(PRICE, LOT, NOTIONAL))


def test_the_instrument_keeps_the_venue_precision_without_trailing_zeros(
    rules: SymbolRules,
) -> None:
    instrument = rules.instrument()
    assert instrument.contract_type is ContractType.SPOT
    assert (instrument.tick_size, instrument.size_step) == (Decimal("0.01"), Decimal("0.00001"))
    assert (instrument.price_decimals, instrument.size_decimals) == (2, 5)
    assert instrument.min_size == Decimal("0.00001")
    assert instrument.min_notional == Decimal(10)
    assert (instrument.base, instrument.quote) == ("BTC", "USDT")
    assert instrument.tradeable
    # $100 at 43,500 is 0.0022988… BTC: rounded down to the step.
    assert instrument.quantity_for_notional(Decimal(100), Decimal(43500)) == Decimal("0.00229")


def test_the_older_min_notional_filter_is_read_too() -> None:
    old = {"filterType": "MIN_NOTIONAL", "minNotional": "5.00000000", "applyToMarket": True}
    assert rules_from_wire(info(PRICE, LOT, old)).instrument().min_notional == Decimal(5)


def test_a_minimum_that_does_not_apply_to_market_orders_does_not_block_them() -> None:
    lax = {**NOTIONAL, "applyMinToMarket": False}
    rules = rules_from_wire(info(PRICE, LOT, lax))
    assert rules.min_notional == Decimal(10)
    assert rules.instrument().min_notional == 0


def test_a_symbol_that_is_not_trading_is_not_tradeable() -> None:
    assert not rules_from_wire(info(PRICE, LOT, status="HALT")).instrument().tradeable


def test_an_unreadable_filter_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="tickSize"):
        rules_from_wire(info({**PRICE, "tickSize": "lots"}, LOT))


@pytest.mark.parametrize(
    ("order_type", "quantity", "price", "reason"),
    [
        (OrderType.MARKET, "0.000001", None, "below the minimum 0.00001 (LOT_SIZE)"),
        (OrderType.MARKET, "0.000015", None, "not a multiple of the step 0.00001 (LOT_SIZE)"),
        (OrderType.MARKET, "9000.00001", None, "above the maximum 9000 (LOT_SIZE)"),
        (OrderType.LIMIT_IOC, "0.001", "43500.005", "not on the tick 0.01 (PRICE_FILTER)"),
        (OrderType.LIMIT_IOC, "0.0002", "43500", "order value 8.7000 is below the minimum 10"),
    ],
)
def test_an_order_breaking_a_filter_is_refused_with_the_reason(
    rules: SymbolRules, order_type: OrderType, quantity: str, price: str | None, reason: str
) -> None:
    limit = Decimal(price) if price is not None else None
    refusal = rules.refusal(order_type, Decimal(quantity), limit)
    assert refusal is not None
    assert reason in refusal


def test_an_order_on_the_grid_passes(rules: SymbolRules) -> None:
    assert rules.refusal(OrderType.MARKET, Decimal("0.00229"), None) is None
    assert rules.refusal(OrderType.LIMIT_IOC, Decimal("0.00229"), Decimal("43500.01")) is None
