"""Sizing: a USD notional per trade becomes a quantity on the venue's size step."""

from __future__ import annotations

from decimal import Decimal

from core.enums import ContractType
from core.instrument import Instrument
from tests.core.factories import inverse_instrument, linear_instrument

D = Decimal


def test_linear_products_are_sized_in_base_currency_rounded_down_to_the_step() -> None:
    # 100 USD / 50000.5 = 0.0019999800... BTC -> 0.0019 with a 0.0001 step
    assert linear_instrument().quantity_for_notional(D(100), D("50000.5")) == D("0.0019")


def test_rounding_never_goes_over_the_notional() -> None:
    instrument = linear_instrument()
    for price in ("50000.5", "31234.5", "99999.5", "100"):
        quantity = instrument.quantity_for_notional(D(100), D(price))
        assert quantity * D(price) <= 100
        assert (quantity + instrument.size_step) * D(price) > 100


def test_inverse_products_are_sized_in_usd_contracts_whatever_the_price() -> None:
    instrument = inverse_instrument()
    assert instrument.quantity_for_notional(D(100), D("50000.5")) == D(100)
    assert instrument.quantity_for_notional(D("100.9"), D("1")) == D(100)
    assert instrument.notional_usd(D(-100), D("50000")) == D(100)


def test_contract_size_and_step_come_from_the_instrument_not_from_code() -> None:
    ten_usd_contracts = Instrument(
        symbol="PI_ETHUSD",
        contract_type=ContractType.INVERSE,
        tick_size=D("0.05"),
        size_step=D(1),
        contract_size=D(10),
    )
    assert ten_usd_contracts.quantity_for_notional(D(100), D(3000)) == D(10)
    spot = Instrument(
        symbol="BTCUSDT",
        contract_type=ContractType.SPOT,
        tick_size=D("0.01"),
        size_step=D("0.00001"),
    )
    assert spot.quantity_for_notional(D(100), D("60000.01")) == D("0.00166")


def test_no_notional_or_no_price_means_no_order() -> None:
    assert linear_instrument().quantity_for_notional(D(0), D(50000)) == 0
    assert linear_instrument().quantity_for_notional(D(100), D(0)) == 0


def test_float_prices_from_the_book_become_exact_decimals_at_tick_precision() -> None:
    instrument = linear_instrument()
    assert instrument.price_to_decimal(50000.5) == D("50000.5")
    assert instrument.price_to_decimal(50000.5 + 1e-9) == D("50000.5")  # float noise is dropped
    assert instrument.price_decimals == 1
    assert instrument.size_decimals == 4
