"""``SimMarket``: a deterministic synthetic L2 market for one or more products.

Pure logic: no I/O and no clock (time is passed in as epoch ns). Same seed and the same sequence
of calls give the same output, product by product (each product has its own RNG, so the order in
which products are stepped does not matter). Venue-neutral: the protocol servers translate.
See ``flow.py`` for how the book moves and what ``edge`` means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from brokers.sim.market.flow import FlowParams, ProductFlow
from brokers.sim.market.products import KRAKEN_FUTURES_PRODUCTS, SimProductSpec
from core.enums import Side

DEFAULT_RATE_HZ = 50.0
DEFAULT_EDGE = 0.0
DEFAULT_VOLATILITY_BPS = 1.0
DEFAULT_LEVELS = 60
MAX_BACKLOG_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class LevelChange:
    """One level's new absolute size. ``side`` BUY is the bid side, SELL the ask side."""

    side: Side
    price: Decimal
    size: Decimal  # 0 deletes the level
    ts_ns: int  # market time of the event that made the change (epoch ns)


@dataclass(frozen=True, slots=True)
class Execution:
    """Part of one of our orders filled against one level."""

    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class BookView:
    """A copy of one product's book. ``update_id`` counts every level change so far."""

    product: str
    bids: tuple[tuple[Decimal, Decimal], ...]  # (price, size), best (highest) first
    asks: tuple[tuple[Decimal, Decimal], ...]  # best (lowest) first
    update_id: int

    @property
    def best_bid(self) -> Decimal:
        return self.bids[0][0]

    @property
    def best_ask(self) -> Decimal:
        return self.asks[0][0]

    @property
    def mid(self) -> Decimal:
        return (self.best_bid + self.best_ask) / 2


class SimMarket:
    """A synthetic market: call ``step`` with the current time to get the level changes.

    ``rate_hz`` is level messages per second per product; ``edge`` in [0, 1] is how strongly the
    top-``imbalance_depth`` imbalance predicts the next mid move (0: not at all);
    ``volatility_bps`` is the mid's standard deviation over one second, in basis points;
    ``spread_ticks`` the usual spread; ``levels`` the depth of each side (never below 50).
    """

    def __init__(
        self,
        products: Sequence[SimProductSpec] = KRAKEN_FUTURES_PRODUCTS,
        *,
        seed: int = 0,
        edge: float = DEFAULT_EDGE,
        volatility_bps: float = DEFAULT_VOLATILITY_BPS,
        rate_hz: float = DEFAULT_RATE_HZ,
        spread_ticks: int = 2,
        levels: int = DEFAULT_LEVELS,
        moves_per_second: float = 2.0,
        imbalance_depth: int = 10,
    ) -> None:
        if not 0.0 <= edge <= 1.0:
            raise ValueError(f"edge must be within [0, 1], got {edge}")
        if rate_hz <= 0 or volatility_bps < 0 or moves_per_second <= 0:
            raise ValueError("rate_hz and moves_per_second must be > 0, volatility_bps >= 0")
        if levels < 50:
            raise ValueError(f"a simulated book needs at least 50 levels a side, got {levels}")
        if spread_ticks < 1 or imbalance_depth < 1:
            raise ValueError("spread_ticks and imbalance_depth must be at least 1")
        if not products:
            raise ValueError("a market needs at least one product")
        self.seed = seed
        self.params = FlowParams(
            rate_hz=rate_hz,
            edge=edge,
            volatility_bps=volatility_bps,
            moves_per_second=moves_per_second,
            spread_ticks=spread_ticks,
            levels=levels,
            imbalance_depth=imbalance_depth,
        )
        self._flows: dict[str, ProductFlow] = {}
        for spec in products:
            if spec.symbol in self._flows:
                raise ValueError(f"product {spec.symbol} listed twice")
            self._flows[spec.symbol] = ProductFlow(spec, seed, self.params)

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(self._flows)

    def spec(self, product: str) -> SimProductSpec:
        return self._flow(product).spec

    def step(self, product: str, now_ns: int) -> list[LevelChange]:
        """Every level change of ``product`` due by ``now_ns``, in order.

        The first call only starts the product's clock. After a gap longer than one second the
        market skips ahead instead of bursting out the backlog.
        """
        flow = self._flow(product)
        step = flow.spec.level_step
        lot = flow.spec.size_step
        return [
            LevelChange(Side.BUY if is_bid else Side.SELL, step * price, lot * lots, ts_ns)
            for ts_ns, is_bid, price, lots in flow.advance(now_ns, MAX_BACKLOG_NS)
        ]

    def book(self, product: str, depth: int | None = None) -> BookView:
        """A copy of the book, best levels first (``depth`` levels a side, or all)."""
        flow = self._flow(product)
        step, lot = flow.spec.level_step, flow.spec.size_step
        sides = []
        for is_bid in (True, False):
            levels = flow.book.levels(is_bid)
            prices = flow.book.sorted_prices(is_bid)[:depth]
            sides.append(tuple((step * p, lot * levels[p]) for p in prices))
        return BookView(flow.spec.symbol, sides[0], sides[1], flow.update_id)

    def update_id(self, product: str) -> int:
        """How many level changes ``product`` has emitted so far (the last one's number)."""
        return self._flow(product).update_id

    def imbalance(self, product: str) -> float:
        """Top-``imbalance_depth`` bid size over ask size (what the strategy looks at)."""
        return self._flow(product).imbalance_ratio()

    def execute_market(
        self,
        product: str,
        side: Side,
        quantity: Decimal,
        *,
        limit_price: Decimal | None = None,
        now_ns: int = 0,
    ) -> tuple[list[Execution], list[LevelChange]]:
        """Fill up to ``quantity`` against the book (BUY takes asks), no worse than ``limit_price``.

        Consumes the liquidity: the returned level changes (stamped ``now_ns``) must be published
        like any other. Never fills more than the book shows; a partial fill is normal.
        """
        flow = self._flow(product)
        spec = flow.spec
        if quantity <= 0 or quantity % spec.size_step != 0:
            raise ValueError(
                f"{product}: quantity {quantity} is not a positive multiple of the step"
            )
        bound = None
        if limit_price is not None:
            units = limit_price / spec.level_step
            rounding = ROUND_FLOOR if side is Side.BUY else ROUND_CEILING
            bound = int(units.to_integral_value(rounding=rounding))
        lots = int(quantity / spec.size_step)
        plan = flow.execute(side is Side.BUY, lots, bound)
        changes = [
            LevelChange(
                Side.BUY if is_bid else Side.SELL, spec.level_step * p, spec.size_step * n, now_ns
            )
            for is_bid, p, n in flow.take_changes()
        ]
        executions = [Execution(spec.level_step * p, spec.size_step * n) for p, n in plan]
        return executions, changes

    def _flow(self, product: str) -> ProductFlow:
        try:
            return self._flows[product]
        except KeyError:
            raise KeyError(
                f"unknown product {product!r}; this market has {self.products}"
            ) from None
