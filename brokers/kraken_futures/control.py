"""Kraken Futures control frames as feed events, the same live and in replays.

Subscription acks become SUBSCRIBED (one per product of a ``book`` ack), the venue's errors
(``error``, ``alert``, failed (un)subscriptions) VENUE_ERROR, and events nobody documented are
counted as unknown. ``info`` (the greeting) and ``unsubscribed`` say nothing the sink needs; the
live feed and the replay each decide what a greeting means for their connection.
"""

from __future__ import annotations

import logging

from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.stats import FeedStats
from brokers.kraken_futures.wire import (
    EVENT_ALERT,
    EVENT_ERROR,
    EVENT_INFO,
    EVENT_SUBSCRIBED,
    EVENT_SUBSCRIBED_FAILED,
    EVENT_UNSUBSCRIBED,
    EVENT_UNSUBSCRIBED_FAILED,
    FEED_BOOK,
    Frame,
)
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

VENUE_ERROR_EVENTS = frozenset(
    {EVENT_ERROR, EVENT_ALERT, EVENT_SUBSCRIBED_FAILED, EVENT_UNSUBSCRIBED_FAILED}
)


def control_events(
    frame: Frame,
    parser: FrameParser,
    sink: FeedSink,
    stats: FeedStats,
    recv_ns: int,
    *,
    log: logging.Logger | None = None,
) -> None:
    """Tell ``sink`` what the control frame means (``log`` hears the venue's errors)."""
    event = frame.event
    if event == EVENT_SUBSCRIBED:
        if frame.feed == FEED_BOOK:
            for product in frame.product_ids or ():
                sink.on_feed_event(
                    FeedEvent(FeedEventKind.SUBSCRIBED, FEED_BOOK, parser.product(product), recv_ns)
                )
        else:
            sink.on_feed_event(FeedEvent(FeedEventKind.SUBSCRIBED, frame.feed, "", recv_ns))
    elif event in VENUE_ERROR_EVENTS:
        stats.venue_errors += 1
        detail = f"{event}: {frame.message or frame.feed or 'no message'}"
        products = [parser.product(p) for p in frame.product_ids or ()]
        if log is not None:
            log.warning("Kraken Futures venue error: %s %s", detail, products or "")
        for product in products or [""]:
            sink.on_feed_event(FeedEvent(FeedEventKind.VENUE_ERROR, detail, product, recv_ns))
    elif event not in (EVENT_INFO, EVENT_UNSUBSCRIBED):
        parser.count_unknown(f"event:{event}")
