"""The ledger: exact position, average entry, P&L and fees, linear and inverse."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.enums import Side
from core.events import Fill
from core.ledger import Ledger, Position
from tests.core.factories import inverse_instrument, linear_instrument

D = Decimal
T0 = 1_700_000_000_000_000_000
_order_ids = itertools.count(1)


def fill(
    side: Side,
    quantity: str,
    price: str,
    fee: str = "0",
    *,
    at: int = T0,
    product: str = "PF_XBTUSD",
) -> Fill:
    n = next(_order_ids)
    return Fill(product, side, D(price), D(quantity), D(fee), at, f"o{n}", f"o{n}-1")


def test_a_long_round_trip_realizes_quantity_times_price_move() -> None:
    ledger = Ledger(linear_instrument())
    assert ledger.apply(fill(Side.BUY, "0.01", "50000", "0.25")) is None
    assert ledger.position == Position("PF_XBTUSD", D("0.01"), D("50000"), T0, D("0.25"))
    trip = ledger.apply(fill(Side.SELL, "0.01", "50100", "0.2505", at=T0 + 60))
    assert trip is not None
    assert (trip.side, trip.quantity, trip.entry_price, trip.exit_price) == (
        Side.BUY,
        D("0.01"),
        D("50000"),
        D("50100"),
    )
    assert (trip.gross_pnl, trip.fees, trip.net_pnl) == (D("1.00"), D("0.5005"), D("0.4995"))
    assert trip.hold_ns == 60
    assert ledger.position.is_flat
    assert (ledger.realized_pnl, ledger.fees_paid, ledger.net_realized) == (
        D("1.00"),
        D("0.5005"),
        D("0.4995"),
    )


def test_a_short_profits_when_the_price_falls() -> None:
    ledger = Ledger(linear_instrument())
    ledger.apply(fill(Side.SELL, "0.02", "50000"))
    assert ledger.position.side is Side.SELL
    assert ledger.unrealized_pnl(D("49950")) == D("1.00")
    trip = ledger.apply(fill(Side.BUY, "0.02", "49900"))
    assert trip is not None
    assert (trip.side, trip.gross_pnl) == (Side.SELL, D("2.00"))


def test_average_entry_is_the_size_weighted_average_of_the_opening_fills() -> None:
    ledger = Ledger(linear_instrument())
    ledger.apply(fill(Side.BUY, "0.01", "100"))
    ledger.apply(fill(Side.BUY, "0.03", "104"))
    assert ledger.position.entry_price == D("103")
    assert ledger.position.quantity == D("0.04")


def test_a_reduction_realizes_against_the_average_entry() -> None:
    ledger = Ledger(linear_instrument())
    ledger.apply(fill(Side.BUY, "1", "100", "0.1"))
    ledger.apply(fill(Side.BUY, "1", "102", "0.1"))
    assert ledger.apply(fill(Side.SELL, "1", "105", "0.1")) is None
    assert ledger.realized_pnl == D("4")
    assert ledger.position == Position("PF_XBTUSD", D("1"), D("101"), T0, D("0.3"))
    trip = ledger.apply(fill(Side.SELL, "1", "99", "0.1"))
    assert trip is not None
    assert (trip.quantity, trip.entry_price, trip.exit_price) == (D(2), D(101), D(102))
    assert (trip.gross_pnl, trip.fees, trip.net_pnl) == (D("2"), D("0.4"), D("1.6"))


def test_a_round_trip_is_exact_even_when_the_average_entry_is_not() -> None:
    ledger = Ledger(linear_instrument())
    ledger.apply(fill(Side.BUY, "1", "100"))
    ledger.apply(fill(Side.BUY, "2", "101"))
    assert ledger.position.entry_price == D("100.6666666667")  # 302 / 3, rounded for display
    ledger.apply(fill(Side.SELL, "1", "102"))
    ledger.apply(fill(Side.SELL, "1", "102"))
    trip = ledger.apply(fill(Side.SELL, "1", "102"))
    assert trip is not None
    assert trip.gross_pnl == D("4")  # 3 x 102 - 302, exactly
    assert ledger.realized_pnl == D("4")


def test_a_fill_through_zero_closes_the_trip_and_opens_the_rest_splitting_the_fee() -> None:
    ledger = Ledger(linear_instrument())
    ledger.apply(fill(Side.BUY, "1", "100", "1"))
    trip = ledger.apply(fill(Side.SELL, "3", "110", "3", at=T0 + 5))
    assert trip is not None
    assert (trip.quantity, trip.gross_pnl, trip.fees, trip.net_pnl) == (D(1), D(10), D(2), D(8))
    assert ledger.position == Position("PF_XBTUSD", D(-2), D(110), T0 + 5, D(2))
    assert ledger.fees_paid == D(4)
    back = ledger.apply(fill(Side.BUY, "2", "105"))
    assert back is not None
    assert (back.side, back.gross_pnl, back.fees) == (Side.SELL, D(10), D(2))


def test_an_uneven_fee_split_loses_nothing() -> None:
    ledger = Ledger(linear_instrument())
    ledger.apply(fill(Side.BUY, "1", "100"))
    trip = ledger.apply(fill(Side.SELL, "3", "100", "0.00000001"))
    assert trip is not None
    assert trip.fees + ledger.position.fees == D("0.00000001")


def test_unrealized_pnl_excludes_fees_and_is_zero_when_flat() -> None:
    ledger = Ledger(linear_instrument())
    assert ledger.unrealized_pnl(D("50000")) == 0
    ledger.apply(fill(Side.BUY, "0.01", "50000", "0.25"))
    assert ledger.unrealized_pnl(D("50100")) == D("1.00")
    assert ledger.notional_usd(D("50100")) == D("501.00")


# -- inverse contracts: P&L = contracts x size x (1/entry - 1/exit), in USD at the exit price --


def test_inverse_long_pnl_with_hand_numbers() -> None:
    ledger = Ledger(inverse_instrument())
    ledger.apply(fill(Side.BUY, "1000", "30000", product="PI_XBTUSD"))
    # 1000 x (1/30000 - 1/33000) BTC = 0.00303030... BTC; x 33000 USD/BTC = 100 USD
    assert ledger.unrealized_pnl(D("33000")) == D("100")
    trip = ledger.apply(fill(Side.SELL, "1000", "33000", product="PI_XBTUSD"))
    assert trip is not None
    assert trip.gross_pnl == D("100")
    assert (trip.entry_price, trip.exit_price) == (D("30000"), D("33000"))


def test_inverse_short_pnl_with_hand_numbers() -> None:
    ledger = Ledger(inverse_instrument())
    ledger.apply(fill(Side.SELL, "1000", "50000", product="PI_XBTUSD"))
    # 1000 x (1/49000 - 1/50000) BTC = 0.000408163... BTC; x 49000 = 20 USD
    trip = ledger.apply(fill(Side.BUY, "1000", "49000", product="PI_XBTUSD"))
    assert trip is not None
    assert trip.gross_pnl == D("20")


def test_inverse_average_entry_is_contract_weighted_harmonic() -> None:
    ledger = Ledger(inverse_instrument())
    ledger.apply(fill(Side.BUY, "100", "40000", product="PI_XBTUSD"))
    ledger.apply(fill(Side.BUY, "100", "60000", product="PI_XBTUSD"))
    # 200 / (100/40000 + 100/60000) = 48000, not the arithmetic 50000
    assert ledger.position.entry_price == D("48000")
    assert ledger.notional_usd(D("1")) == D("200")


# -- no drift, resume, bad input ----------------------------------------------------------------


def test_a_thousand_small_round_trips_sum_exactly() -> None:
    ledger = Ledger(linear_instrument())
    gross_total = D(0)
    float_total = 0.0
    for i in range(1000):
        entry = D("50000.5") + D("0.5") * i
        ledger.apply(fill(Side.BUY, "0.0001", str(entry), "0.00250003"))
        trip = ledger.apply(fill(Side.SELL, "0.0001", str(entry + D("1.5")), "0.00250010"))
        assert trip is not None
        gross_total += trip.gross_pnl
        float_total += 0.0001 * 1.5
    assert ledger.realized_pnl == gross_total == D("0.15")
    assert ledger.fees_paid == D("5.00013")
    assert ledger.net_realized == D("0.15") - D("5.00013")
    assert float_total != 0.15  # what the same sum does in floats


def test_restore_continues_an_open_position() -> None:
    ledger = Ledger(linear_instrument())
    ledger.restore(
        Position("PF_XBTUSD", D("-0.5"), D("200"), T0, D("0.05")),
        realized_pnl=D("12"),
        fees_paid=D("3"),
    )
    assert ledger.position == Position("PF_XBTUSD", D("-0.5"), D("200"), T0, D("0.05"))
    trip = ledger.apply(fill(Side.BUY, "0.5", "190", "0.05"))
    assert trip is not None
    assert (trip.gross_pnl, trip.fees, trip.opened_wall_ns) == (D(5), D("0.10"), T0)
    assert (ledger.realized_pnl, ledger.fees_paid) == (D(17), D("3.05"))


def test_restore_flat_resets_the_position() -> None:
    ledger = Ledger(linear_instrument())
    ledger.apply(fill(Side.BUY, "1", "100"))
    assert ledger.position.quantity == 1
    ledger.restore(Position("PF_XBTUSD", D(0), D(0), 0, D(0)), realized_pnl=D(1), fees_paid=D(0))
    assert ledger.position.is_flat
    assert ledger.unrealized_pnl(D(200)) == 0


def test_a_fill_of_another_product_is_refused() -> None:
    ledger = Ledger(linear_instrument())
    with pytest.raises(ValueError, match="PI_XBTUSD"):
        ledger.apply(fill(Side.BUY, "1", "100", product="PI_XBTUSD"))


def test_a_zero_quantity_fill_changes_nothing() -> None:
    ledger = Ledger(linear_instrument())
    assert ledger.apply(fill(Side.BUY, "0", "100", "0")) is None
    assert ledger.position.is_flat


@settings(max_examples=150, deadline=None)
@given(
    trades=st.lists(
        st.tuples(
            st.sampled_from([Side.BUY, Side.SELL]),
            st.integers(1, 50_000),  # quantity in 0.0001 steps
            st.integers(80_000, 120_000),  # price in 0.5 ticks
        ),
        min_size=1,
        max_size=40,
    ),
    mark_ticks=st.integers(80_000, 120_000),
)
def test_realized_plus_unrealized_equals_the_cash_flow_exactly(
    trades: list[tuple[Side, int, int]], mark_ticks: int
) -> None:
    """For linear products, whatever the order of fills (scale-ins, partial closes, flips), the
    ledger's P&L equals the plain cash flow: money paid out and in plus the open quantity at mark.
    """
    ledger = Ledger(linear_instrument())
    cash = D(0)
    position = D(0)
    trips_gross = D(0)
    for side, steps, ticks in trades:
        quantity, price = D(steps) * D("0.0001"), D(ticks) * D("0.5")
        trip = ledger.apply(fill(side, str(quantity), str(price)))
        if trip is not None:
            trips_gross += trip.gross_pnl
        cash -= side.sign * quantity * price
        position += side.sign * quantity
    mark = D(mark_ticks) * D("0.5")
    assert ledger.position.quantity == position
    assert ledger.realized_pnl + ledger.unrealized_pnl(mark) == cash + position * mark
    if position == 0:
        assert trips_gross == ledger.realized_pnl
