"""Where and how money is rounded: one place, so every module rounds alike.

Amounts that come out of exact arithmetic (quantity x price, sums) are never rounded. Rounding
happens only where a division or a rate makes the exact value non-terminating, and then always
to the quanta below:

* fees: taker rate x notional, to 1e-8 USD, ROUND_HALF_UP (a venue never charges fractions of a
  hundred-millionth; half-up is how venues round a fee);
* average prices (a division): to 1e-10, ROUND_HALF_EVEN — for display and for resume;
* P&L, cost-basis shares and inverse-contract values (divisions): to 1e-10 USD, or 1e-20 of the
  base currency for inverse contract values, ROUND_HALF_EVEN. Only *how P&L is split between
  partial closes* depends on this; a whole round trip's P&L is exact (see ``core.ledger``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEE_QUANTUM = Decimal("1e-8")
PRICE_QUANTUM = Decimal("1e-10")
PNL_QUANTUM = Decimal("1e-10")
BASE_VALUE_QUANTUM = Decimal("1e-20")
BPS_QUANTUM = Decimal("0.0001")
ZERO = Decimal(0)


def taker_fee(notional_usd: Decimal, rate: Decimal) -> Decimal:
    """The fee on ``notional_usd`` at ``rate`` (0.0005 = 5 bps), rounded half-up to 1e-8 USD."""
    return (notional_usd * rate).quantize(FEE_QUANTUM, rounding=ROUND_HALF_UP)
