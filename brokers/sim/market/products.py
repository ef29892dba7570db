"""What a simulated product is: venue-neutral trading rules plus how its synthetic book looks.

The market (``market.py``) knows only these specs; each protocol server maps them onto its own
venue's wire vocabulary (Kraken ``flexible_futures``/``futures_inverse``, Binance ``SPOT``...).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.enums import ContractType


@dataclass(frozen=True, slots=True)
class SimProductSpec:
    """One simulated product.

    ``size_step`` is the quantity increment (base currency for linear/spot products, contracts of
    ``contract_size`` quote units for inverse ones). ``typical_size`` is the size of a level near
    the top of the book; levels further out are bigger. ``level_gap_ticks`` spaces the synthetic
    levels (1 = a level may sit on every tick); prices are always multiples of ``tick_size``.
    """

    symbol: str
    contract_type: ContractType
    tick_size: Decimal
    size_step: Decimal
    start_price: Decimal
    typical_size: Decimal
    contract_size: Decimal = Decimal(1)
    base: str = ""
    quote: str = "USD"
    level_gap_ticks: int = 1

    def __post_init__(self) -> None:
        if self.symbol != self.symbol.upper() or not self.symbol:
            raise ValueError(f"product symbol must be non-empty upper case: {self.symbol!r}")
        if self.tick_size <= 0 or self.size_step <= 0 or self.level_gap_ticks < 1:
            raise ValueError(f"{self.symbol}: tick size, size step and level gap must be positive")
        if self.start_price % self.level_step != 0:
            raise ValueError(f"{self.symbol}: start price must be a multiple of the level step")
        if self.typical_size < self.size_step:
            raise ValueError(f"{self.symbol}: typical size is below one size step")

    @property
    def level_step(self) -> Decimal:
        """Price distance between two adjacent synthetic levels."""
        return self.tick_size * self.level_gap_ticks

    @property
    def size_decimals(self) -> int:
        """Digits after the point of ``size_step`` (Kraken's ``contractValueTradePrecision``)."""
        return max(0, -int(self.size_step.normalize().as_tuple().exponent))


PF_XBTUSD = SimProductSpec(
    symbol="PF_XBTUSD",
    contract_type=ContractType.LINEAR,
    tick_size=Decimal("0.5"),
    size_step=Decimal("0.0001"),
    start_price=Decimal("43500"),
    typical_size=Decimal("0.35"),
    base="XBT",
)
PF_ETHUSD = SimProductSpec(
    symbol="PF_ETHUSD",
    contract_type=ContractType.LINEAR,
    tick_size=Decimal("0.1"),
    size_step=Decimal("0.001"),
    start_price=Decimal("2300"),
    typical_size=Decimal("6"),
    base="ETH",
)
PI_XBTUSD = SimProductSpec(
    symbol="PI_XBTUSD",
    contract_type=ContractType.INVERSE,
    tick_size=Decimal("0.5"),
    size_step=Decimal("1"),
    start_price=Decimal("43500"),
    typical_size=Decimal("15000"),
    contract_size=Decimal("1"),
    base="XBT",
)
BTCUSDT = SimProductSpec(
    symbol="BTCUSDT",
    contract_type=ContractType.SPOT,
    tick_size=Decimal("0.01"),
    size_step=Decimal("0.00001"),
    start_price=Decimal("43500"),
    typical_size=Decimal("0.2"),
    base="BTC",
    quote="USDT",
    level_gap_ticks=50,
)

KRAKEN_FUTURES_PRODUCTS: tuple[SimProductSpec, ...] = (PF_XBTUSD, PF_ETHUSD, PI_XBTUSD)
"""The products the simulated Kraken Futures venue lists by default."""

BINANCE_US_PRODUCTS: tuple[SimProductSpec, ...] = (BTCUSDT,)
"""Spot products for the Binance.us protocol server (a later issue)."""

ALL_PRODUCTS: tuple[SimProductSpec, ...] = KRAKEN_FUTURES_PRODUCTS + BINANCE_US_PRODUCTS


def resolve_products(
    products: Iterable[SimProductSpec | str] | None,
    *,
    default: Sequence[SimProductSpec] = KRAKEN_FUTURES_PRODUCTS,
) -> tuple[SimProductSpec, ...]:
    """Specs for ``products``: specs pass through, symbols are looked up case-insensitively.

    ``None`` or an empty list means ``default``. An unknown symbol raises a one-line ValueError.
    """
    wanted = list(products or ())
    if not wanted:
        return tuple(default)
    known = {spec.symbol: spec for spec in ALL_PRODUCTS}
    resolved: list[SimProductSpec] = []
    for item in wanted:
        if isinstance(item, SimProductSpec):
            spec = item
        else:
            spec = known.get(item.strip().upper())
            if spec is None:
                raise ValueError(
                    f"unknown simulated product {item!r}; known: {', '.join(sorted(known))}"
                )
        if any(existing.symbol == spec.symbol for existing in resolved):
            raise ValueError(f"product {spec.symbol} listed twice")
        resolved.append(spec)
    return tuple(resolved)
