"""A symbol's trading rules from ``GET /api/v3/exchangeInfo``, and the checks made before sending.

Filters (docs, "Filters"): ``PRICE_FILTER`` (``minPrice``, ``maxPrice``, ``tickSize``; 0 disables
a rule), ``LOT_SIZE`` (``minQty``, ``maxQty``, ``stepSize``; since 2023-03 a quantity must be a
multiple of ``stepSize`` — ``quantity % stepSize == 0``), ``MARKET_LOT_SIZE`` (the same for MARKET
orders), and the minimum order value from ``NOTIONAL`` (``minNotional``, ``applyMinToMarket``) or
the older ``MIN_NOTIONAL`` (``minNotional``, ``applyToMarket``). An order that would break one of
them is refused here, with the reason, instead of being sent to be refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from brokers.binance_us.wire import SymbolInfo
from core.enums import ContractType, OrderType
from core.instrument import Instrument

ZERO = Decimal(0)
TRADING = "TRADING"


@dataclass(frozen=True, slots=True)
class SymbolRules:
    symbol: str
    status: str
    base: str
    quote: str
    order_types: frozenset[str]
    spot_allowed: bool
    tick_size: Decimal
    min_price: Decimal = ZERO
    max_price: Decimal = ZERO
    step_size: Decimal = ZERO
    min_qty: Decimal = ZERO
    max_qty: Decimal = ZERO
    market_step_size: Decimal = ZERO  # MARKET_LOT_SIZE; 0 = not given
    market_min_qty: Decimal = ZERO
    market_max_qty: Decimal = ZERO
    min_notional: Decimal = ZERO
    min_notional_applies_to_market: bool = True

    @property
    def tradeable(self) -> bool:
        return self.status == TRADING and self.spot_allowed and "MARKET" in self.order_types

    def instrument(self) -> Instrument:
        # The venue prints "0.01000000"; the instrument keeps the significant step (0.01), so
        # quantities and prices show at the venue's real precision.
        step = _significant(self.step_size)
        return Instrument(
            symbol=self.symbol,
            contract_type=ContractType.SPOT,
            tick_size=_significant(self.tick_size),
            size_step=step,
            min_size=_tidy(max(self.min_qty, self.market_min_qty)),
            # The engine sends MARKET orders: it must respect the minimum only where it applies.
            min_notional=_tidy(self.min_notional) if self.min_notional_applies_to_market else ZERO,
            base=self.base,
            quote=self.quote,
            tradeable=self.tradeable,
        )

    def refusal(
        self,
        order_type: OrderType,
        quantity: Decimal,
        price: Decimal | None,
    ) -> str | None:
        """Why this order would break the symbol's filters, or None if it passes.

        ``price`` is the limit price of a LIMIT IOC order (None for MARKET). A MARKET order's
        value is checked by the venue at its average price, which we do not know here; the
        engine checks it at the decision price before it ever gets this far.
        """
        market = order_type is OrderType.MARKET
        if quantity <= 0:
            return f"quantity must be positive, got {quantity}"
        lots = [("LOT_SIZE", self.step_size, self.min_qty, self.max_qty)]
        if market and self.market_step_size > 0:
            lots.append(
                ("MARKET_LOT_SIZE", self.market_step_size, self.market_min_qty, self.market_max_qty)
            )
        for name, step, low, high in lots:
            if low > 0 and quantity < low:
                return f"quantity {quantity} is below the minimum {_plain(low)} ({name})"
            if high > 0 and quantity > high:
                return f"quantity {quantity} is above the maximum {_plain(high)} ({name})"
            if step > 0 and quantity % step != 0:
                return f"quantity {quantity} is not a multiple of the step {_plain(step)} ({name})"
        if price is None:
            return None
        if price <= 0:
            return f"price must be positive, got {price}"
        if self.min_price > 0 and price < self.min_price:
            return f"price {price} is below the minimum {_plain(self.min_price)} (PRICE_FILTER)"
        if self.max_price > 0 and price > self.max_price:
            return f"price {price} is above the maximum {_plain(self.max_price)} (PRICE_FILTER)"
        if self.tick_size > 0 and price % self.tick_size != 0:
            return f"price {price} is not on the tick {_plain(self.tick_size)} (PRICE_FILTER)"
        if self.min_notional > 0 and quantity * price < self.min_notional:
            return (
                f"order value {quantity * price} is below the minimum "
                f"{_plain(self.min_notional)} {self.quote} (NOTIONAL)"
            )
        return None


def _significant(step: Decimal) -> Decimal:
    """``0.01000000`` -> ``0.01``; a disabled (0) rule becomes the venue's finest, 1e-8."""
    if step <= 0:
        return Decimal("1e-8")
    normal = step.normalize()
    return normal if normal.as_tuple().exponent <= 0 else Decimal(int(normal))


def _tidy(value: Decimal) -> Decimal:
    """``10.00000000`` -> ``10``, ``0.00001000`` -> ``0.00001``: the amount as a trader writes it."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _dec(entry: Mapping[str, Any], name: str) -> Decimal:
    raw = entry.get(name)
    if raw is None:
        return ZERO
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"{entry.get('filterType')}.{name} is not a number: {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{entry.get('filterType')}.{name} out of range: {raw!r}")
    return value


def rules_from_wire(info: SymbolInfo) -> SymbolRules:
    """``SymbolRules`` for one ``exchangeInfo`` symbol; ValueError when a filter is unreadable."""
    found: dict[str, Any] = {}
    for entry in info.filters:
        kind = entry.get("filterType")
        if isinstance(kind, str):
            found[kind] = entry
    price = found.get("PRICE_FILTER", {})
    lot = found.get("LOT_SIZE", {})
    market_lot = found.get("MARKET_LOT_SIZE", {})
    min_notional, applies = ZERO, True
    if "NOTIONAL" in found:
        min_notional = _dec(found["NOTIONAL"], "minNotional")
        applies = bool(found["NOTIONAL"].get("applyMinToMarket", True))
    elif "MIN_NOTIONAL" in found:
        min_notional = _dec(found["MIN_NOTIONAL"], "minNotional")
        applies = bool(found["MIN_NOTIONAL"].get("applyToMarket", True))
    return SymbolRules(
        symbol=info.symbol.upper(),
        status=info.status,
        base=info.baseAsset.upper(),
        quote=info.quoteAsset.upper(),
        order_types=frozenset(info.orderTypes),
        spot_allowed=info.isSpotTradingAllowed,
        tick_size=_dec(price, "tickSize"),
        min_price=_dec(price, "minPrice"),
        max_price=_dec(price, "maxPrice"),
        step_size=_dec(lot, "stepSize"),
        min_qty=_dec(lot, "minQty"),
        max_qty=_dec(lot, "maxQty"),
        market_step_size=_dec(market_lot, "stepSize"),
        market_min_qty=_dec(market_lot, "minQty"),
        market_max_qty=_dec(market_lot, "maxQty"),
        min_notional=min_notional,
        min_notional_applies_to_market=applies,
    )
