"""Paper execution: a market order filled against the live public book, honestly.

A market order walks the opposite side of the book best level first (asks for a BUY, bids for a
SELL), taking what each level shows until the quantity is done or the book runs out; what the
book does not show is reported unfilled, never invented. Each level touched is one ``Fill``.
Fees are the taker rate on each fill's notional (``core.money.taker_fee``: 1e-8 USD, half-up);
for inverse contracts the notional is contracts x contract size (USD), not price-dependent.

The book is only read, never changed: our paper order does not move the public market, and the
next venue delta would overwrite any change anyway. A second paper order before the venue
updates the book therefore sees the same liquidity again — paper fills are optimistic there.

``extra_slippage_bps`` (default 0: the behaviour above, unchanged) moves every fill price that
many basis points against us (negative: in our favour); ``core.fill_bands`` uses it, with a
later book, to show how P&L holds up under worse (or better) execution than the model's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.book import OrderBook
from core.enums import ContractType, Side
from core.events import Fill
from core.instrument import Instrument
from core.money import BPS_QUANTUM, PRICE_QUANTUM, ZERO, taker_fee

_BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class PaperExecution:
    """The outcome of one simulated market order.

    ``average_price`` is size-weighted for linear and spot products and contract-weighted
    harmonic for inverse ones (the price at which the same contracts would have the same value
    in the base currency); None when nothing filled. ``slippage_bps`` compares it with the mid
    at decision time, positive when worse for us.
    """

    fills: tuple[Fill, ...]
    requested: Decimal
    filled: Decimal
    average_price: Decimal | None
    fee: Decimal
    slippage_bps: Decimal

    @property
    def unfilled(self) -> Decimal:
        return self.requested - self.filled

    @property
    def complete(self) -> bool:
        return self.filled == self.requested


class PaperFills:
    """Fills market orders against an ``OrderBook`` at a fixed taker fee rate."""

    def __init__(self, *, taker_fee_rate: Decimal, extra_slippage_bps: Decimal = ZERO) -> None:
        if not taker_fee_rate >= 0:
            raise ValueError(f"taker fee rate must not be negative, got {taker_fee_rate}")
        if not -_BPS < extra_slippage_bps < _BPS:
            raise ValueError(f"extra slippage must be within ±10000 bps, got {extra_slippage_bps}")
        self.taker_fee_rate = taker_fee_rate
        self.extra_slippage_bps = extra_slippage_bps

    def execute_market(
        self,
        book: OrderBook,
        instrument: Instrument,
        side: Side,
        quantity: Decimal,
        *,
        client_order_id: str,
        now_wall_ns: int,
        decision_mid: float,
    ) -> PaperExecution:
        """Walk the book for ``quantity`` (expected on the size step; any excess is unfilled)."""
        if quantity < 0:
            raise ValueError(f"order quantity must not be negative, got {quantity}")
        mid = Decimal(repr(decision_mid)) if math.isfinite(decision_mid) else ZERO
        remaining = instrument.round_size_down(quantity)
        fills: list[Fill] = []
        for price, size in book.levels_from_best(side):
            if remaining <= 0:
                break
            available = instrument.round_size_down(Decimal(repr(size)))
            if available <= 0:
                continue  # a dust level below one size step cannot be traded
            take = min(remaining, available)
            fill_price = instrument.price_to_decimal(price)
            if self.extra_slippage_bps:
                fill_price = worse_price(side, fill_price, self.extra_slippage_bps)
            fills.append(
                Fill(
                    product=book.product,
                    side=side,
                    price=fill_price,
                    quantity=take,
                    fee=taker_fee(instrument.notional_usd(take, fill_price), self.taker_fee_rate),
                    wall_ns=now_wall_ns,
                    client_order_id=client_order_id,
                    fill_id=f"{client_order_id}-{len(fills) + 1}",
                    slippage_bps=slippage_bps(side, fill_price, mid),
                )
            )
            remaining -= take
        filled = sum((f.quantity for f in fills), ZERO)
        average = average_price(instrument, fills)
        return PaperExecution(
            fills=tuple(fills),
            requested=quantity,
            filled=filled,
            average_price=average,
            fee=sum((f.fee for f in fills), ZERO),
            slippage_bps=ZERO if average is None else slippage_bps(side, average, mid),
        )


def worse_price(side: Side, price: Decimal, bps: Decimal) -> Decimal:
    """``price`` moved ``bps`` against a taker on ``side`` (up for a BUY, down for a SELL)."""
    factor = bps / _BPS
    moved = price * (1 + factor) if side is Side.BUY else price * (1 - factor)
    return moved.quantize(PRICE_QUANTUM)


def average_price(instrument: Instrument, fills: list[Fill] | tuple[Fill, ...]) -> Decimal | None:
    """Average price of ``fills`` (harmonic, contract-weighted for inverse products)."""
    quantity = sum((f.quantity for f in fills), ZERO)
    if quantity <= 0:
        return None
    if instrument.contract_type is ContractType.INVERSE:
        value = sum((f.quantity / f.price for f in fills), ZERO)
        return (quantity / value).quantize(PRICE_QUANTUM)
    cost = sum((f.quantity * f.price for f in fills), ZERO)
    return (cost / quantity).quantize(PRICE_QUANTUM)


def slippage_bps(side: Side, price: Decimal, mid: Decimal) -> Decimal:
    """How much worse than ``mid`` we traded, in basis points (negative = better)."""
    if mid <= 0:
        return ZERO
    worse_by = price - mid if side is Side.BUY else mid - price
    return (worse_by / mid * _BPS).quantize(BPS_QUANTUM, rounding=ROUND_HALF_UP)
