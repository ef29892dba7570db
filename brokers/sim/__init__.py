"""The simulated venue: a synthetic L2 market and servers that speak real venue protocols.

Three parts: ``market/`` (products, synthetic books, the matching engines: no venue's JSON),
``kraken_futures/`` and ``binance_us/`` (each protocol's server over that market), and what
they share: the fault knobs (``faults``), the connection fan-out (``connections``) and the
server start/stop (``serving``). ``venue`` is the ``sim`` venue of ``brokers.registry``.

``SimMarket`` makes a deterministic synthetic order book; ``KrakenFuturesSimServer`` serves it
on 127.0.0.1 as Kraken Futures WebSocket v1 + REST v3 (signed with the public fake
``SIM_API_KEY``/``SIM_API_SECRET``), with fault knobs (``SimFaults``) for tests;
``serve_forever`` runs it standalone. ``BinanceUsSimServer`` serves the same kind of market as
Binance.us spot (streams + REST, signed with ``BINANCE_SIM_API_KEY``/``BINANCE_SIM_API_SECRET``,
commission in the asset received). ``serve_until_cancelled`` runs any of them standalone.
"""

from brokers.sim.binance_us import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET, BinanceUsSimServer
from brokers.sim.faults import KrakenFaults, RestFault, SimFaults
from brokers.sim.kraken_futures import (
    SIM_API_KEY,
    SIM_API_SECRET,
    KrakenFuturesSimServer,
    serve_forever,
)
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from brokers.sim.market import (
    ALL_PRODUCTS,
    BINANCE_US_PRODUCTS,
    BTCUSDT,
    DEFAULT_EDGE,
    DEFAULT_RATE_HZ,
    DEFAULT_VOLATILITY_BPS,
    KRAKEN_FUTURES_PRODUCTS,
    PF_ETHUSD,
    PF_XBTUSD,
    PI_XBTUSD,
    BookView,
    Execution,
    LevelChange,
    SimExchange,
    SimMarket,
    SimProductSpec,
    SpotExchange,
    resolve_products,
)
from brokers.sim.serving import serve_until_cancelled

__all__ = [
    "ALL_PRODUCTS",
    "BINANCE_SIM_API_KEY",
    "BINANCE_SIM_API_SECRET",
    "BINANCE_US_PRODUCTS",
    "BTCUSDT",
    "DEFAULT_EDGE",
    "DEFAULT_RATE_HZ",
    "DEFAULT_VOLATILITY_BPS",
    "KRAKEN_FUTURES_PRODUCTS",
    "PF_ETHUSD",
    "PF_XBTUSD",
    "PI_XBTUSD",
    "SIM_API_KEY",
    "SIM_API_SECRET",
    "BinanceUsSimServer",
    "BookView",
    "Execution",
    "KrakenFaults",
    "KrakenFuturesSimServer",
    "KrakenUnifiedSimServer",
    "LevelChange",
    "RestFault",
    "SimExchange",
    "SimFaults",
    "SimMarket",
    "SimProductSpec",
    "SpotExchange",
    "resolve_products",
    "serve_forever",
    "serve_until_cancelled",
]
