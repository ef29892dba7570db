"""What a venue says about a tradable product, and how a notional becomes a quantity."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from core.enums import ContractType


@dataclass(frozen=True, slots=True)
class Instrument:
    """Trading rules for one product, read from the venue (never hard-coded).

    ``size_step`` is the smallest quantity increment: for Kraken ``PF_`` products it comes from
    ``contractValueTradePrecision`` (4 -> 0.0001 BTC); for ``PI_`` products quantities are USD
    contracts of ``contract_size`` each (step 1). ``min_notional`` is Binance.us's minimum order
    value in quote currency (0 when the venue has none).
    """

    symbol: str
    contract_type: ContractType
    tick_size: Decimal
    size_step: Decimal
    min_size: Decimal = Decimal(0)
    min_notional: Decimal = Decimal(0)
    contract_size: Decimal = Decimal(1)
    base: str = ""
    quote: str = "USD"
    tradeable: bool = True

    @property
    def price_decimals(self) -> int:
        """Digits after the point needed to print a price at the venue's precision."""
        return max(0, -self.tick_size.normalize().as_tuple().exponent)

    @property
    def size_decimals(self) -> int:
        return max(0, -self.size_step.normalize().as_tuple().exponent)

    def round_size_down(self, quantity: Decimal) -> Decimal:
        """Largest multiple of ``size_step`` not above ``quantity``."""
        steps = (quantity / self.size_step).to_integral_value(rounding=ROUND_DOWN)
        return (steps * self.size_step).quantize(self.size_step)

    def quantity_for_notional(self, notional_usd: Decimal, price: Decimal) -> Decimal:
        """Order quantity worth at most ``notional_usd`` at ``price``, rounded down to the step.

        Inverse contracts are themselves worth ``contract_size`` USD each, so the price does not
        enter; linear and spot products are sized in base currency.
        """
        if notional_usd <= 0 or price <= 0:
            return Decimal(0)
        if self.contract_type is ContractType.INVERSE:
            return self.round_size_down(notional_usd / self.contract_size)
        return self.round_size_down(notional_usd / price)

    def notional_usd(self, quantity: Decimal, price: Decimal) -> Decimal:
        """Quote-currency value of ``quantity`` at ``price``."""
        if self.contract_type is ContractType.INVERSE:
            return abs(quantity) * self.contract_size
        return abs(quantity) * price

    def price_to_decimal(self, price: float) -> Decimal:
        """An exact Decimal for a float price the venue sent, at the venue's tick precision."""
        return Decimal(repr(price)).quantize(self.tick_size)
