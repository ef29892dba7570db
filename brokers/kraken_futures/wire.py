"""Kraken Futures WebSocket v1 frames as the venue sends them (docs.kraken.com, futures-websocket).

Every frame is decoded in one pass into one flat ``Frame`` struct: the fields of all the frame
kinds we read, each optional. That is cheaper than decoding to dicts (no dict per frame, no second
pass) and lets the parser dispatch on ``event`` / ``feed`` with two string compares. Unknown fields
are ignored by msgspec; a field of the wrong type makes the whole frame invalid.

Frames we read:
- ``{"event":"info","version":1}`` on connect; ``subscribed`` / ``unsubscribed`` /
  ``subscribed_failed`` / ``unsubscribed_failed`` acks (``feed``, ``product_ids``);
  ``{"event":"error","message":"Invalid product id"|"Invalid feed"|"Json Error"}``.
- ``book_snapshot``: ``product_id, timestamp (ms), seq, tickSize (always null), bids[{price,qty}],
  asks[{price,qty}]``.
- ``book``: one level per message: ``product_id, side ("buy"|"sell"), seq, price, qty`` (absolute
  size, 0 deletes), ``timestamp`` (ms).
- ``heartbeat``: ``time`` (ms).
"""

from __future__ import annotations

import msgspec
import orjson

# Sentinels for "absent": every real value the venue sends for these is >= 0.
ABSENT_INT = -1
ABSENT_FLOAT = -1.0


class WireLevel(msgspec.Struct, gc=False):
    """One snapshot level: ``{"price": …, "qty": …}``."""

    price: float
    qty: float


class Frame(msgspec.Struct, gc=False):
    """Any Kraken Futures v1 frame, flattened: which fields are set depends on the kind."""

    feed: str = ""
    event: str = ""
    product_id: str = ""
    side: str = ""
    seq: int = ABSENT_INT
    price: float = ABSENT_FLOAT
    qty: float = ABSENT_FLOAT
    timestamp: int = ABSENT_INT
    bids: list[WireLevel] | None = None
    asks: list[WireLevel] | None = None
    time: int = ABSENT_INT
    message: str = ""
    product_ids: list[str] | None = None


FRAME_DECODER = msgspec.json.Decoder(Frame)

# Feeds and events by name, as the venue spells them.
FEED_BOOK = "book"
FEED_BOOK_SNAPSHOT = "book_snapshot"
FEED_HEARTBEAT = "heartbeat"
EVENT_INFO = "info"
EVENT_SUBSCRIBED = "subscribed"
EVENT_UNSUBSCRIBED = "unsubscribed"
EVENT_SUBSCRIBED_FAILED = "subscribed_failed"
EVENT_UNSUBSCRIBED_FAILED = "unsubscribed_failed"
EVENT_ERROR = "error"
EVENT_ALERT = "alert"


def subscribe_message(feed: str, product_ids: list[str] | None = None) -> str:
    """``{"event":"subscribe","feed":…,"product_ids":[…]}`` as the text frame to send."""
    return _request("subscribe", feed, product_ids)


def unsubscribe_message(feed: str, product_ids: list[str] | None = None) -> str:
    return _request("unsubscribe", feed, product_ids)


def _request(event: str, feed: str, product_ids: list[str] | None) -> str:
    body: dict[str, object] = {"event": event, "feed": feed}
    if product_ids is not None:
        body["product_ids"] = product_ids
    return orjson.dumps(body).decode()
