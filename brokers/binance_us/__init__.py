"""Binance.us spot adapter: the diff-depth stream + REST snapshots, signed REST order entry.

The console reaches it through ``brokers.registry`` as the venue ``binance_us``: ``venue.py`` is
its spec (names, settings, and how it opens). Built by hand::

    endpoints = BinanceUsEndpoints.with_overrides(ws_url=…, rest_url=…)
    rest = BinanceUsRest(rest_url=endpoints.rest_url, api_key=…, api_secret=…)
    feed = BinanceUsFeed(["BTCUSDT"], endpoints=endpoints, snapshots=rest)

There is no testnet: every live order is real money (the console refuses ``--live`` without
``--i-understand-this-is-real-money``).
"""

from brokers.binance_us.auth import ServerClock, sign
from brokers.binance_us.errors import RateLimited, VenueAnswerLost
from brokers.binance_us.feed import BinanceUsFeed
from brokers.binance_us.filters import SymbolRules, rules_from_wire
from brokers.binance_us.orders import Execution, OrderRefused, ledger_fills, order_params
from brokers.binance_us.parse import DepthParser
from brokers.binance_us.rest import BinanceUsRest
from brokers.binance_us.rest_http import BinanceUsHttp
from brokers.binance_us.stats import DropReason, FeedStats
from brokers.binance_us.urls import (
    PRODUCTION_REST_URL,
    PRODUCTION_WS_URL,
    BinanceUsEndpoints,
    depth_stream,
)
from brokers.net.backoff import Backoff, BackoffPolicy

__all__ = [
    "PRODUCTION_REST_URL",
    "PRODUCTION_WS_URL",
    "Backoff",
    "BackoffPolicy",
    "BinanceUsEndpoints",
    "BinanceUsFeed",
    "BinanceUsHttp",
    "BinanceUsRest",
    "DepthParser",
    "DropReason",
    "Execution",
    "FeedStats",
    "OrderRefused",
    "RateLimited",
    "ServerClock",
    "SymbolRules",
    "VenueAnswerLost",
    "depth_stream",
    "ledger_fills",
    "order_params",
    "rules_from_wire",
    "sign",
]
