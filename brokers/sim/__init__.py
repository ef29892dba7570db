"""The simulated venue: a synthetic L2 market and servers that speak real venue protocols.

``SimMarket`` makes a deterministic synthetic order book; ``KrakenFuturesSimServer`` serves it
on 127.0.0.1 as Kraken Futures WebSocket v1 + REST v3 (signed with the public fake
``SIM_API_KEY``/``SIM_API_SECRET``), with fault knobs (``SimFaults``) for tests;
``serve_forever`` runs it standalone. ``BinanceUsSimServer`` serves the same kind of market as
Binance.us spot (streams + REST, signed with ``BINANCE_SIM_API_KEY``/``BINANCE_SIM_API_SECRET``,
commission in the asset received). ``serve_until_cancelled`` runs any of them standalone.
"""

from brokers.sim.binance_auth import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET
from brokers.sim.binance_spot import SpotExchange
from brokers.sim.binance_us_server import BinanceUsSimServer
from brokers.sim.exchange import SimExchange
from brokers.sim.faults import KrakenFaults, RestFault, SimFaults
from brokers.sim.kraken_auth import SIM_API_KEY, SIM_API_SECRET
from brokers.sim.kraken_futures_server import KrakenFuturesSimServer
from brokers.sim.market import (
    DEFAULT_EDGE,
    DEFAULT_RATE_HZ,
    DEFAULT_VOLATILITY_BPS,
    BookView,
    Execution,
    LevelChange,
    SimMarket,
)
from brokers.sim.products import (
    BINANCE_US_PRODUCTS,
    BTCUSDT,
    KRAKEN_FUTURES_PRODUCTS,
    PF_ETHUSD,
    PF_XBTUSD,
    PI_XBTUSD,
    SimProductSpec,
    resolve_products,
)
from brokers.sim.serve import serve_forever
from brokers.sim.serving import serve_until_cancelled

__all__ = [
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
