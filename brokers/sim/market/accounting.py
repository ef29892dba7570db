"""Exact money arithmetic for simulated positions: notional, P&L, average entry, protection.

Linear and spot products are worth size x price; inverse contracts (Kraken ``PI_``) are worth
their contract size in USD each, so their P&L is in the base currency, converted here to USD at
the exit price (the simulated wallet holds USD only).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from brokers.sim.market.products import SimProductSpec
from core.enums import ContractType, Side

MONEY = Decimal("0.00000001")
MARKET_PROTECTION = Decimal("0.01")  # a market order fills no further than 1 % from the touch


def notional(spec: SimProductSpec, size: Decimal, price: Decimal) -> Decimal:
    """USD value: inverse contracts are worth their contract size, others size x price."""
    if spec.contract_type is ContractType.INVERSE:
        return size * spec.contract_size
    return size * price * spec.contract_size


def pnl(spec: SimProductSpec, long: bool, entry: Decimal, exit_: Decimal, size: Decimal) -> Decimal:
    """Realised (or, at the mark, unrealised) P&L in USD of closing ``size`` at ``exit_``."""
    direction = 1 if long else -1
    if spec.contract_type is ContractType.INVERSE:
        in_base = size * spec.contract_size * (1 / entry - 1 / exit_)
        return (in_base * exit_ * direction).quantize(MONEY)
    return ((exit_ - entry) * size * spec.contract_size * direction).quantize(MONEY)


def average_entry(
    spec: SimProductSpec, size: Decimal, entry: Decimal, added: Decimal, price: Decimal
) -> Decimal:
    """Entry price after adding ``added`` at ``price`` (harmonic for inverse contracts)."""
    size, added = abs(size), abs(added)
    if spec.contract_type is ContractType.INVERSE:
        return (size + added) / (size / entry + added / price)
    return (size * entry + added * price) / (size + added)


def protected_price(spec: SimProductSpec, side: Side, touch: Decimal) -> Decimal:
    """A market order's worst price: 1 % through the touch, on the tick grid."""
    if side is Side.BUY:
        raw, rounding = touch * (1 + MARKET_PROTECTION), ROUND_FLOOR
    else:
        raw, rounding = touch * (1 - MARKET_PROTECTION), ROUND_CEILING
    ticks = (raw / spec.tick_size).to_integral_value(rounding=rounding)
    return ticks * spec.tick_size
