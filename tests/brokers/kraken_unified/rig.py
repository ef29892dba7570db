"""The Unified feed against the simulated Unified venue: a core book per symbol, resynced the
way the engine does it (GAP or CROSSED → ``feed.resync``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from brokers.kraken_futures.unified.feed import KrakenUnifiedFeed
from brokers.net.backoff import BackoffPolicy
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from core.book import CROSSED, GAP, OrderBook
from core.enums import BookState
from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind, Level

XBT, ETH = "PF_XBTUSD", "PF_ETHUSD"
FAST_BACKOFF = BackoffPolicy(initial_s=0.05, max_s=0.2, jitter=0.1)
NS_PER_TICK = 20_000_000


class EngineLikeSink:
    """Core books fed by the adapter; a broken one asks the feed to resync, like the engine."""

    def __init__(self, products: tuple[str, ...]) -> None:
        self.books = {p: OrderBook(p, depth=10) for p in products}
        self.feed: KrakenUnifiedFeed | None = None
        self.events: list[FeedEvent] = []
        self.broken = 0
        self.applied = dict.fromkeys(products, 0)  # book messages that reached a core book

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        self.applied[snapshot.product] += 1
        self._after(snapshot.product, self.books[snapshot.product].apply_snapshot(snapshot))

    def on_delta(self, delta: BookDelta) -> None:
        if delta.bids or delta.asks:  # not the adapter's empty "book broken" marker
            self.applied[delta.product] += 1
        self._after(delta.product, self.books[delta.product].apply_delta(delta))

    def on_feed_event(self, event: FeedEvent) -> None:
        self.events.append(event)
        if event.kind is FeedEventKind.DISCONNECTED:
            for book in self.books.values():
                book.reset("disconnected")

    def _after(self, product: str, outcome: object) -> None:
        if outcome is GAP or outcome is CROSSED:
            self.broken += 1
            assert self.feed is not None
            self.feed.resync(product)

    def live(self, product: str) -> bool:
        return self.books[product].state is BookState.LIVE

    def count(self, kind: FeedEventKind) -> int:
        return sum(1 for e in self.events if e.kind is kind)


class Rig:
    def __init__(self, server: KrakenUnifiedSimServer, feed: KrakenUnifiedFeed) -> None:
        self.server = server
        self.feed = feed
        self.sink = EngineLikeSink(feed.products)
        self.sink.feed = feed
        self.now_ns = 1_800_000_000_000_000_000

    def tick(self) -> None:
        self.now_ns += NS_PER_TICK
        self.server.tick(self.now_ns)

    def venue_levels(self, product: str) -> tuple[list[Level], list[Level]]:
        view = self.server.book_at(product, self.depth)
        return (
            [(float(p), float(q)) for p, q in view.bids],
            [(float(p), float(q)) for p, q in view.asks],
        )

    @property
    def depth(self) -> int:
        return self.feed.depth

    def held(self, product: str) -> tuple[list[Level], list[Level]]:
        book = self.sink.books[product]
        return book.top(10_000)

    def in_sync(self, product: str) -> bool:
        return self.sink.live(product) and self.held(product) == self.venue_levels(product)


@contextlib.asynccontextmanager
async def rig(
    *, depth: int = 10, resync_interval_s: float = 0.2, silence_timeout_s: float = 5.0
) -> AsyncIterator[Rig]:
    server = KrakenUnifiedSimServer(products=[XBT, ETH], seed=7, rate_hz=300, ticking=False)
    await server.start(port=0)
    feed = KrakenUnifiedFeed(
        [XBT, ETH],
        ws_url=server.ws_url,
        depth=depth,
        resync_interval_s=resync_interval_s,
        silence_timeout_s=silence_timeout_s,
        backoff=FAST_BACKOFF,
    )
    the_rig = Rig(server, feed)
    task = asyncio.create_task(feed.run(the_rig.sink), name="test-unified-feed")
    try:
        yield the_rig
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await server.stop()
