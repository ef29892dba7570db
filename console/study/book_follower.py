"""A decoder's sink that keeps one product's book and its signals, and says when it changed.

The edge study (``series``) and the Parquet export (``console.parquet.features``) both rebuild a
recording's book with the venue's real parser, no engine: this is their common part. The flow
signals are reset at each snapshot, as the engine resets them (the flow before a fresh snapshot
is not comparable).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.book import APPLIED, OrderBook
from core.events import BookDelta, BookSnapshot, FeedEvent
from core.signals import BookSignal


class BookFollower:
    """One product's book and ``signals``; ``updated(venue_ts_ns, recv_ns)`` after each update
    applied (subclasses), ``before_snapshot()`` before a snapshot replaces the book."""

    def __init__(self, product: str, depth: int, signals: Sequence[BookSignal]) -> None:
        self.product = product
        self.book = OrderBook(product, depth=depth)
        self.signals = list(signals)

    def updated(self, venue_ts_ns: int, recv_ns: int) -> None:
        raise NotImplementedError

    def before_snapshot(self) -> None:
        """Nothing by default."""

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        if snapshot.product != self.product:
            return
        self.before_snapshot()
        for signal in self.signals:
            signal.reset()
        if self.book.apply_snapshot(snapshot) is APPLIED:
            self.updated(snapshot.venue_ts_ns, snapshot.recv_ns)

    def on_delta(self, delta: BookDelta) -> None:
        if delta.product == self.product and self.book.apply_delta(delta) is APPLIED:
            self.updated(delta.venue_ts_ns, delta.recv_ns)

    def on_level(  # noqa: PLR0917 - the LevelSink signature
        self,
        product: str,
        seq: int,
        bid: bool,
        price: float,
        size: float,
        venue_ts_ns: int,
        recv_ns: int,
    ) -> None:
        if product == self.product:
            outcome = self.book.apply_level(seq, bid, price, size, venue_ts_ns, recv_ns)
            if outcome is APPLIED:
                self.updated(venue_ts_ns, recv_ns)

    def on_feed_event(self, event: FeedEvent) -> None:
        pass  # a reconnection reaches the book as a fresh snapshot
