"""The simulated market, apart from any venue's protocol: products, the synthetic order books
(``SimMarket``: deterministic, seeded, with an adjustable edge of imbalance over the next move),
and the matching engines that trade on them with accounts — ``SimExchange`` (futures on margin,
linear and inverse) and ``SpotExchange`` (spot balances, commission in the asset received).

The protocol servers (``brokers.sim.kraken_futures``, ``brokers.sim.binance_us``) put these on
the wire; nothing here knows a venue's JSON.
"""

from brokers.sim.market.books import (
    DEFAULT_EDGE,
    DEFAULT_RATE_HZ,
    DEFAULT_VOLATILITY_BPS,
    BookView,
    Execution,
    LevelChange,
    SimMarket,
)
from brokers.sim.market.futures import SimExchange
from brokers.sim.market.products import (
    ALL_PRODUCTS,
    BINANCE_US_PRODUCTS,
    BTCUSDT,
    KRAKEN_FUTURES_PRODUCTS,
    PF_ETHUSD,
    PF_XBTUSD,
    PI_XBTUSD,
    SimProductSpec,
    resolve_products,
)
from brokers.sim.market.spot import SpotExchange

__all__ = [
    "ALL_PRODUCTS",
    "BINANCE_US_PRODUCTS",
    "BTCUSDT",
    "DEFAULT_EDGE",
    "DEFAULT_RATE_HZ",
    "DEFAULT_VOLATILITY_BPS",
    "KRAKEN_FUTURES_PRODUCTS",
    "PF_ETHUSD",
    "PF_XBTUSD",
    "PI_XBTUSD",
    "BookView",
    "Execution",
    "LevelChange",
    "SimExchange",
    "SimMarket",
    "SimProductSpec",
    "SpotExchange",
    "resolve_products",
]
