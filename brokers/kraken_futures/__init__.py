"""Kraken Futures adapter: WebSocket v1 order-book feed and REST v3 order entry.

The console reaches it through ``brokers.registry`` as the venue ``kraken``: ``venue.py`` is
its spec (names, settings, and how it opens). Built by hand::

    endpoints = KrakenFuturesEndpoints.for_venue(KrakenFuturesVenue.DEMO, ws_url=…, rest_url=…)
    feed = KrakenFuturesFeed(["PF_XBTUSD"], ws_url=endpoints.ws_url)
    venue = KrakenFuturesRest(rest_url=endpoints.rest_url, api_key=…, api_secret=…,
                              key_setting="KRAKEN_DEMO_API_KEY",
                              secret_setting="KRAKEN_DEMO_API_SECRET")
"""

from brokers.kraken_futures.auth import rest_authent, sign_challenge, signed_endpoint_path
from brokers.kraken_futures.dead_man import DeadMansSwitch
from brokers.kraken_futures.errors import VenueAnswerLost
from brokers.kraken_futures.feed import WEBSOCKET_TIMEOUT_SECONDS, KrakenFuturesFeed
from brokers.kraken_futures.orders import new_client_order_id
from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.rest import KrakenFuturesRest
from brokers.kraken_futures.stats import DropReason, FeedStats
from brokers.kraken_futures.urls import (
    DEMO_REST_URL,
    DEMO_WS_URL,
    PRODUCTION_REST_URL,
    PRODUCTION_WS_URL,
    KrakenFuturesEndpoints,
    KrakenFuturesVenue,
)
from brokers.net.backoff import BackoffPolicy

__all__ = [
    "DEMO_REST_URL",
    "DEMO_WS_URL",
    "PRODUCTION_REST_URL",
    "PRODUCTION_WS_URL",
    "WEBSOCKET_TIMEOUT_SECONDS",
    "BackoffPolicy",
    "DeadMansSwitch",
    "DropReason",
    "FeedStats",
    "FrameParser",
    "KrakenFuturesEndpoints",
    "KrakenFuturesFeed",
    "KrakenFuturesRest",
    "KrakenFuturesVenue",
    "VenueAnswerLost",
    "new_client_order_id",
    "rest_authent",
    "sign_challenge",
    "signed_endpoint_path",
]
