"""The real Kraken Futures feed against the simulated venue, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from brokers.kraken_futures import BackoffPolicy, DropReason, KrakenFuturesFeed
from brokers.sim import KrakenFuturesSimServer
from core.events import FeedEventKind, Level
from tests.brokers.kraken_futures.conftest import StepClock
from tests.brokers.kraken_futures.replica_book import LIVE, ReplicaBook

XBT, ETH = "PF_XBTUSD", "PF_ETHUSD"
FAST_BACKOFF = BackoffPolicy(initial_s=0.05, max_s=0.2, jitter=0.1)
Venue = tuple[KrakenFuturesSimServer, StepClock]


@pytest.fixture
async def venue() -> AsyncIterator[Venue]:
    clock = StepClock()
    server = KrakenFuturesSimServer(
        products=[XBT, ETH], seed=11, rate_hz=400, heartbeat_interval_s=0.1, clock=clock
    )
    await server.start(port=0)
    try:
        yield server, clock
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def running(feed: KrakenFuturesFeed, book: ReplicaBook) -> AsyncIterator[None]:
    task = asyncio.create_task(feed.run(book), name="test-feed")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def feed_for(server: KrakenFuturesSimServer, silence_timeout_s: float = 2.0) -> KrakenFuturesFeed:
    return KrakenFuturesFeed(
        [XBT, "pf_ethusd"],  # any case: the venue matches ids case-insensitively
        ws_url=server.ws_url,
        silence_timeout_s=silence_timeout_s,
        backoff=FAST_BACKOFF,
    )


def server_levels(server: KrakenFuturesSimServer, product: str) -> tuple[list[Level], list[Level]]:
    view = server.book(product)
    return (
        [(float(p), float(q)) for p, q in view.bids],
        [(float(p), float(q)) for p, q in view.asks],
    )


async def trade_for(clock: StepClock, ms: float, steps: int = 5) -> None:
    """Let the sim market move ``ms`` of venue time, in steps the server ticker picks up."""
    for _ in range(steps):
        clock.advance(ms / steps)
        await asyncio.sleep(0.03)


async def caught_up(server: KrakenFuturesSimServer, book: ReplicaBook, *products: str) -> None:
    await book.wait_for(
        lambda: all(
            book.state.get(p) == LIVE and book.seq.get(p) == server.seq(p) for p in products
        )
    )


async def test_snapshot_and_deltas_rebuild_the_book_the_server_holds(venue: Venue) -> None:
    server, clock = venue
    feed = feed_for(server)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        await book.wait_for(lambda: book.snapshots[XBT] == 1 and book.snapshots[ETH] == 1)
        await trade_for(clock, 500)
        await caught_up(server, book, XBT, ETH)
        for product in (XBT, ETH):
            assert book.deltas[product] > 50
            assert book.levels(product) == server_levels(server, product)
    assert book.gaps == []
    assert feed.stats.dropped_total == 0
    subscribed = {e.product for e in book.events_of(FeedEventKind.SUBSCRIBED) if e.product}
    assert subscribed == {XBT, ETH}


async def test_a_seq_gap_resyncs_that_product_and_only_that_product(venue: Venue) -> None:
    server, clock = venue
    feed = feed_for(server)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        await book.wait_for(lambda: book.snapshots[XBT] == 1 and book.snapshots[ETH] == 1)
        server.faults.drop_next_seq(ETH)
        await trade_for(clock, 300)
        await book.wait_for(lambda: book.snapshots[ETH] == 2)
        await trade_for(clock, 300)
        await caught_up(server, book, XBT, ETH)
        assert [(p, got - expected) for p, expected, got in book.gaps] == [(ETH, 1)]
        assert book.snapshots == {XBT: 1, ETH: 2}
        assert [e.product for e in book.events_of(FeedEventKind.RESYNC_REQUESTED)] == [ETH]
        assert feed.stats.resyncs == 1
        assert feed.stats.reconnects == 0
        for product in (XBT, ETH):
            assert book.levels(product) == server_levels(server, product)


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "dropped-socket"])
async def test_a_disconnect_leads_to_a_reconnect_and_fresh_snapshots(
    venue: Venue, abrupt: bool
) -> None:
    server, clock = venue
    feed = feed_for(server)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        await book.wait_for(lambda: book.snapshots[XBT] == 1 and book.snapshots[ETH] == 1)
        server.faults.disconnect_all(abrupt=abrupt)
        await book.wait_for(lambda: book.snapshots[XBT] == 2 and book.snapshots[ETH] == 2)
        await trade_for(clock, 300)
        await caught_up(server, book, XBT, ETH)
        for product in (XBT, ETH):
            assert book.levels(product) == server_levels(server, product)
    stats = feed.stats
    assert (stats.connects, stats.reconnects) == (2, 1)
    assert len(book.events_of(FeedEventKind.DISCONNECTED)) == 1
    assert len(book.events_of(FeedEventKind.CONNECTED)) == 2


async def test_malformed_frames_are_counted_and_the_book_stays_right(venue: Venue) -> None:
    server, clock = venue
    feed = feed_for(server)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        await book.wait_for(lambda: book.snapshots[XBT] == 1 and book.snapshots[ETH] == 1)
        server.faults.send_malformed(3)
        await trade_for(clock, 300)
        await book.wait_for(lambda: feed.stats.dropped_total == 3)
        await caught_up(server, book, XBT, ETH)
        for product in (XBT, ETH):
            assert book.levels(product) == server_levels(server, product)
    assert feed.stats.dropped == {DropReason.INVALID_JSON: 3}
    assert len(book.events_of(FeedEventKind.DROPPED_FRAME)) == 3
    assert feed.stats.reconnects == 0


async def test_a_silent_connection_is_dropped_and_replaced(venue: Venue) -> None:
    server, _clock = venue
    feed = feed_for(server, silence_timeout_s=0.5)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        await book.wait_for(lambda: book.snapshots[XBT] == 1 and book.snapshots[ETH] == 1)
        # Heartbeats every 0.1 s keep a healthy connection talking; now hold everything 2 s.
        server.faults.delay_outgoing(2000, frames=3)
        await book.wait_for(lambda: feed.stats.reconnects == 1)
        await book.wait_for(lambda: book.snapshots[XBT] == 2 and book.snapshots[ETH] == 2)
    assert feed.stats.silent_disconnects == 1
    (event,) = book.events_of(FeedEventKind.DISCONNECTED)
    assert "no frame for 0.5 s" in event.detail


async def test_heartbeats_arrive_and_keep_the_connection(venue: Venue) -> None:
    server, _clock = venue
    feed = feed_for(server, silence_timeout_s=1.0)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        # The market is frozen: only heartbeats (every 0.1 s) arrive, well past the timeout.
        await book.wait_for(lambda: feed.stats.heartbeats >= 15)
    assert feed.stats.connects == 1
    assert feed.stats.silent_disconnects == 0
    assert len(book.events_of(FeedEventKind.HEARTBEAT)) == feed.stats.heartbeats


async def test_cancelling_the_feed_closes_the_socket_and_leaves_no_task(venue: Venue) -> None:
    server, _clock = venue
    feed = feed_for(server)
    book = ReplicaBook(feed.resync)
    before = asyncio.all_tasks()
    async with running(feed, book):
        await book.wait_for(lambda: book.snapshots[XBT] == 1)
        assert len(server.feed.clients) == 1
    await _until(lambda: not server.feed.clients)
    leftover = {t.get_name() for t in asyncio.all_tasks() - before}
    assert not any(name.startswith("kraken-futures") for name in leftover)
    assert "test-feed" not in leftover


async def test_unknown_product_is_reported_as_a_venue_error(venue: Venue) -> None:
    server, _clock = venue
    feed = KrakenFuturesFeed(["PF_NOPEUSD"], ws_url=server.ws_url, backoff=FAST_BACKOFF)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        await book.wait_for(lambda: bool(book.events_of(FeedEventKind.VENUE_ERROR)))
    (event,) = book.events_of(FeedEventKind.VENUE_ERROR)
    assert event.detail == "error: Invalid product id"
    assert feed.stats.venue_errors == 1


async def test_an_unreachable_venue_is_retried_with_backoff() -> None:
    server = KrakenFuturesSimServer(products=[XBT], seed=1)
    await server.start(port=0)
    url = server.ws_url
    await server.stop()  # nothing listens there any more
    feed = KrakenFuturesFeed([XBT], ws_url=url, backoff=FAST_BACKOFF)
    book = ReplicaBook(feed.resync)
    async with running(feed, book):
        await book.wait_for(lambda: len(book.events_of(FeedEventKind.DISCONNECTED)) >= 3)
    assert feed.stats.connects == 0


async def _until(condition: Callable[[], bool], timeout_s: float = 2.0) -> None:
    """Poll a condition on the server side (it offers no event to wait on), bounded."""
    for _ in range(int(timeout_s / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("condition not met in time")
