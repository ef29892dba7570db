"""A test-local book-rebuilding sink: rebuilds each product's book and checks ``seq`` itself.

The core ``OrderBook`` is built on another branch; until it is merged, end-to-end tests use this
small replica of its contract for Kraken Futures: the first delta after a snapshot at ``seq`` S
must be S+1, then +1 each; deltas at or below the book's seq are stale and ignored; a jump marks
the product SYNCING and asks the feed to resync that product only; deltas are ignored until the
fresh snapshot arrives.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind, Level

SYNCING = "SYNCING"
LIVE = "LIVE"


class ReplicaBook:
    def __init__(self, resync: Callable[[str], None] | None = None) -> None:
        self.resync = resync
        self.bids: dict[str, dict[float, float]] = {}
        self.asks: dict[str, dict[float, float]] = {}
        self.seq: dict[str, int] = {}
        self.state: dict[str, str] = {}
        self.snapshots: Counter[str] = Counter()
        self.deltas: Counter[str] = Counter()
        self.gaps: list[tuple[str, int, int]] = []  # (product, expected seq, seq received)
        self.events: list[FeedEvent] = []
        self.changed = asyncio.Event()

    # FeedSink
    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        p = snapshot.product
        self.bids[p] = dict(snapshot.bids)
        self.asks[p] = dict(snapshot.asks)
        self.seq[p] = snapshot.seq
        self.state[p] = LIVE
        self.snapshots[p] += 1
        self.changed.set()

    def on_delta(self, delta: BookDelta) -> None:
        p = delta.product
        if self.state.get(p) != LIVE or delta.last_seq <= self.seq[p]:
            return
        expected = self.seq[p] + 1
        if delta.first_seq != expected:
            self.gaps.append((p, expected, delta.first_seq))
            self.state[p] = SYNCING
            if self.resync is not None:
                self.resync(p)
            self.changed.set()
            return
        for side, levels in ((self.bids[p], delta.bids), (self.asks[p], delta.asks)):
            for price, qty in levels:
                if qty == 0:
                    side.pop(price, None)
                else:
                    side[price] = qty
        self.seq[p] = delta.last_seq
        self.deltas[p] += 1
        self.changed.set()

    def on_feed_event(self, event: FeedEvent) -> None:
        self.events.append(event)
        self.changed.set()

    # Reading
    def levels(self, product: str) -> tuple[list[Level], list[Level]]:
        """(bids best first, asks best first)."""
        bids = sorted(self.bids.get(product, {}).items(), reverse=True)
        asks = sorted(self.asks.get(product, {}).items())
        return bids, asks

    def events_of(self, kind: FeedEventKind) -> list[FeedEvent]:
        return [e for e in self.events if e.kind is kind]

    async def wait_for(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
        """Wait (bounded) until ``condition()`` holds; re-checked after every sink call."""

        async def until() -> None:
            while not condition():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(until(), timeout_s)
