"""The network layer every venue adapter shares (and the next one uses).

``BackoffPolicy``/``Backoff``: jittered exponential waits. ``WebSocketFeed``: one WebSocket kept
open for a feed (connect, the venue's session, silence and pong watchdogs, reconnect, counters).
``RestTransport`` and ``ApiKeys``: a REST host with its timeout, pool and transport failures as
``VenueError``s, and a key pair kept out of sight. ``redacted``/``checked_url``: URLs as users
give them. What is a venue's own (its wire, its signing, its error bodies) stays in its folder.
"""

from brokers.net.backoff import Backoff, BackoffPolicy
from brokers.net.errors import VenueAnswerLost, describe
from brokers.net.rest import ApiKeys, Params, RawAnswer, RestTransport, encode_params, reveal
from brokers.net.urls import checked_url, redacted
from brokers.net.websocket import ConnectionCounters, FeedSession, WebSocketFeed

__all__ = [
    "ApiKeys",
    "Backoff",
    "BackoffPolicy",
    "ConnectionCounters",
    "FeedSession",
    "Params",
    "RawAnswer",
    "RestTransport",
    "VenueAnswerLost",
    "WebSocketFeed",
    "checked_url",
    "describe",
    "encode_params",
    "redacted",
    "reveal",
]
