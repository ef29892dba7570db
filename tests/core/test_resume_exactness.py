"""A resumed position must close to the same P&L as if the run had never stopped.

Found by the durability work (issue 6): rebuilding the cost basis from a rounded average entry
price was off in the 14th decimal when the average does not terminate, and partial closes made
before a restart were missing from the round trip's record. The position now carries the
ledger's exact working state (``TripProgress``), and the store keeps it.
"""

from __future__ import annotations

from decimal import Decimal

from core.enums import Side
from core.events import Fill
from core.ledger import Ledger
from tests.core.factories import linear_instrument


def fill(side: Side, price: str, quantity: str, n: int) -> Fill:
    return Fill(
        "PF_XBTUSD", side, Decimal(price), Decimal(quantity), Decimal(0), n, f"c{n}", f"f{n}"
    )


def test_a_terminating_average_resumes_exactly() -> None:
    straight, resumed = Ledger(linear_instrument()), Ledger(linear_instrument())
    for f in (fill(Side.BUY, "43500.5", "0.0001", 1), fill(Side.BUY, "43501.5", "0.0001", 2)):
        straight.apply(f)
    resumed.restore(straight.position, realized_pnl=Decimal(0), fees_paid=Decimal(0))
    close = fill(Side.SELL, "43502", "0.0002", 3)
    assert straight.apply(close) == resumed.apply(close)
    assert straight.realized_pnl == resumed.realized_pnl


def test_a_non_terminating_average_resumes_exactly() -> None:
    straight, resumed = Ledger(linear_instrument()), Ledger(linear_instrument())
    for f in (fill(Side.BUY, "43500.5", "0.0001", 1), fill(Side.BUY, "43501", "0.0002", 2)):
        straight.apply(f)
    assert straight.position.entry_price == Decimal("43500.8333333333")  # rounded
    resumed.restore(straight.position, realized_pnl=Decimal(0), fees_paid=Decimal(0))
    close = fill(Side.SELL, "43502", "0.0003", 3)
    assert straight.apply(close) == resumed.apply(close)
    assert straight.realized_pnl == resumed.realized_pnl == Decimal("0.00035")


def test_a_partial_close_before_the_restart_stays_in_the_round_trip_record() -> None:
    straight, resumed = Ledger(linear_instrument()), Ledger(linear_instrument())
    for f in (
        fill(Side.BUY, "43500.5", "0.0001", 1),
        fill(Side.BUY, "43501", "0.0002", 2),
        fill(Side.SELL, "43510", "0.0001", 3),  # a partial close, then the restart
    ):
        straight.apply(f)
    resumed.restore(straight.position, realized_pnl=straight.realized_pnl, fees_paid=Decimal(0))
    close = fill(Side.SELL, "43490", "0.0002", 4)
    expected = straight.apply(close)
    assert resumed.apply(close) == expected
    assert expected is not None
    assert expected.quantity == Decimal("0.0003")
    assert straight.realized_pnl == resumed.realized_pnl
