"""The documented local-book procedure, through the real adapter and the core book, against the
simulated venue over real sockets: stream first, snapshot second; a snapshot older than the
stream; a gap mid-stream; the 24 h cut; keep-alive; back-off that respects the venue."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from brokers.binance_us import BackoffPolicy, BinanceUsFeed, RateLimited
from brokers.sim import BinanceUsSimServer
from core.book import ApplyOutcome
from core.enums import BookState
from core.events import FeedEventKind
from tests.brokers.binance_us.conftest import (
    SYMBOL,
    SyncedBook,
    eventually,
    feed_for,
    rest_for,
    running,
    settled_equal,
)


def synced_to(feed_box: list[BinanceUsFeed]) -> SyncedBook:
    return SyncedBook(lambda: feed_box[0])


async def test_stream_first_then_snapshot_and_the_book_matches_the_venue_exactly(
    sim: BinanceUsSimServer,
) -> None:
    rest = rest_for(sim)
    box: list[BinanceUsFeed] = []
    synced = synced_to(box)
    box.append(feed := feed_for(sim, rest))
    async with running(feed, synced):
        await asyncio.wait_for(synced.live.wait(), 5)
        await settled_equal(sim, synced)
    await rest.close()
    assert synced.buffered_at_snapshot[0] >= 1  # the stream was open and buffering first
    assert feed.stats.snapshots == 1
    assert synced.count(ApplyOutcome.GAP) == 0
    assert set(synced.decided_on) == {BookState.LIVE}
    depth = [r for r in sim.rest.requests if r.endpoint == "depth"]
    assert [r.params for r in depth] == [{"symbol": SYMBOL, "limit": "1000"}]


async def test_a_snapshot_older_than_the_first_buffered_event_is_a_gap_then_resynced(
    sim: BinanceUsSimServer,
) -> None:
    await asyncio.sleep(0.5)  # the venue keeps older books: one of those will be served
    sim.faults.stale_snapshot(SYMBOL)
    rest = rest_for(sim)
    box: list[BinanceUsFeed] = []
    synced = synced_to(box)
    box.append(feed := feed_for(sim, rest))
    async with running(feed, synced):
        await eventually(lambda: feed.stats.snapshots >= 2 and synced.book.state is BookState.LIVE)
        await settled_equal(sim, synced)
    await rest.close()
    assert synced.outcomes[0] is ApplyOutcome.GAP  # the stale snapshot did not fit the stream
    assert feed.stats.resyncs == 1
    assert feed.stats.connects == 1  # only the snapshot was fetched again
    assert synced.applied_without_snapshot == 0


async def test_a_gap_mid_stream_resyncs_that_symbol_only_and_the_stream_stays(
    sim: BinanceUsSimServer,
) -> None:
    rest = rest_for(sim)
    box: list[BinanceUsFeed] = []
    synced = synced_to(box)
    box.append(feed := feed_for(sim, rest))
    async with running(feed, synced):
        await asyncio.wait_for(synced.live.wait(), 5)
        sim.faults.drop_next_seq(SYMBOL)  # one depthUpdate is never sent: its ids are missing
        await eventually(lambda: synced.count(ApplyOutcome.GAP) == 1)
        await eventually(lambda: feed.stats.snapshots == 2 and synced.book.state is BookState.LIVE)
        await settled_equal(sim, synced)
    await rest.close()
    assert feed.stats.resyncs == 1
    assert feed.stats.connects == 1
    assert synced.events_of(FeedEventKind.DISCONNECTED) == []


async def test_the_24h_cut_reconnects_and_resyncs_without_deciding_on_a_half_built_book() -> None:
    async with BinanceUsSimServer(seed=9, rate_hz=400, max_connection_age_s=1.0) as sim:
        rest = rest_for(sim)
        box: list[BinanceUsFeed] = []
        synced = synced_to(box)
        box.append(feed := feed_for(sim, rest))
        async with running(feed, synced):
            await eventually(lambda: feed.stats.connects >= 3, within_s=8)
            await eventually(lambda: synced.book.state is BookState.LIVE)
            await settled_equal(sim, synced)
        await rest.close()
        assert sim.streams.lifetime_cuts >= 2
    disconnects = synced.events_of(FeedEventKind.DISCONNECTED)
    assert len(disconnects) >= 2
    assert feed.stats.snapshots >= feed.stats.connects - 1  # every connection re-snapshots
    assert synced.applied_without_snapshot == 0
    assert set(synced.decided_on) == {BookState.LIVE}


async def test_an_abrupt_disconnect_is_noticed_and_the_book_is_rebuilt(
    sim: BinanceUsSimServer,
) -> None:
    rest = rest_for(sim)
    box: list[BinanceUsFeed] = []
    synced = synced_to(box)
    box.append(feed := feed_for(sim, rest))
    async with running(feed, synced):
        await asyncio.wait_for(synced.live.wait(), 5)
        sim.faults.disconnect_all(abrupt=True)
        await eventually(lambda: feed.stats.connects == 2 and feed.stats.snapshots == 2)
        await settled_equal(sim, synced)
    await rest.close()
    assert len(synced.events_of(FeedEventKind.DISCONNECTED)) == 1
    assert synced.applied_without_snapshot == 0


async def test_the_venue_pings_are_answered_so_the_connection_lives_on() -> None:
    # Pings often, a pong deadline a stalled loop (this process runs both ends) cannot miss.
    async with BinanceUsSimServer(seed=2, ping_interval_s=0.1, pong_timeout_s=2.0) as sim:
        rest = rest_for(sim)
        box: list[BinanceUsFeed] = []
        synced = synced_to(box)
        box.append(feed := feed_for(sim, rest, ping_interval_s=60.0))
        async with running(feed, synced):
            await eventually(lambda: len(sim.streams.clients) == 1)
            (client,) = sim.streams.clients
            await eventually(lambda: client.pongs_received >= 5)
        await rest.close()
        assert sim.streams.pong_timeouts == 0
        assert feed.stats.connects == 1


async def test_our_pings_keep_a_quiet_book_from_looking_stale(sim: BinanceUsSimServer) -> None:
    sim.paused = True  # nothing changes, so no depthUpdate at all
    rest = rest_for(sim)
    box: list[BinanceUsFeed] = []
    synced = synced_to(box)
    box.append(feed := feed_for(sim, rest, ping_interval_s=0.05, first_event_wait_s=0.1))
    async with running(feed, synced):
        await eventually(lambda: len(synced.events_of(FeedEventKind.HEARTBEAT)) >= 3)
        await asyncio.wait_for(synced.live.wait(), 5)  # snapshot taken though no event came
    await rest.close()
    assert feed.stats.pongs >= 3


async def test_repeated_resyncs_of_one_symbol_back_off(sim: BinanceUsSimServer) -> None:
    await asyncio.sleep(0.5)
    sim.faults.stale_snapshot(SYMBOL, times=3)
    rest = rest_for(sim)
    box: list[BinanceUsFeed] = []
    synced = synced_to(box)
    policy = BackoffPolicy(initial_s=0.1, max_s=1.0, jitter=0.0, healthy_after_s=30.0)
    box.append(feed := feed_for(sim, rest, snapshot_backoff=policy))
    async with running(feed, synced):
        await eventually(lambda: feed.stats.snapshots == 4 and synced.book.state is BookState.LIVE)
    await rest.close()
    times = [r.monotonic for r in sim.rest.requests if r.endpoint == "depth"]
    waits = [b - a for a, b in itertools.pairwise(times)]
    assert len(waits) == 3
    for n, wait in enumerate(waits):  # 0.1, 0.2, 0.4 s at least: never hammered
        assert wait >= 0.1 * 2**n * 0.95, waits


async def test_a_429_on_the_snapshot_holds_every_request_back_for_retry_after(
    sim: BinanceUsSimServer,
) -> None:
    sim.faults.fail_rest("depth", status=429, error="-1003", retry_after_s=1)
    rest = rest_for(sim)
    box: list[BinanceUsFeed] = []
    synced = synced_to(box)
    box.append(feed := feed_for(sim, rest))
    async with running(feed, synced):
        await eventually(lambda: feed.stats.rate_limited == 1)
        with pytest.raises(RateLimited, match="not sent, backing off after HTTP 429"):
            await rest.account()  # any request, not only snapshots: the limit is per IP
        await asyncio.wait_for(synced.live.wait(), 5)
    await rest.close()
    assert sim.rest.requests_while_limited == 0  # nothing was sent inside the window
    assert [r.endpoint for r in sim.rest.requests if r.endpoint != "depth"] == []
    times = [r.monotonic for r in sim.rest.requests if r.endpoint == "depth"]
    assert len(times) == 2
    assert times[1] - times[0] >= 1.0
