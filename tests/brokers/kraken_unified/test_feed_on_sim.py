"""The Unified public feed against the simulated Unified venue, over real sockets on 127.0.0.1.

The sim only moves when a test ticks it, so after each tick the book every message built can be
compared with the venue's book exactly (at the subscribed depth).
"""

from __future__ import annotations

import logging

import pytest

from brokers.kraken_futures.unified.stats import UnifiedDrop
from core.events import FeedEventKind
from tests.brokers.kraken_unified.rig import ETH, XBT, Rig, rig
from tests.waiting import eventually

PRODUCTS = (XBT, ETH)


async def _synced(r: Rig, what: str) -> None:
    for product in PRODUCTS:
        await eventually(lambda p=product: r.in_sync(p), 20.0, what=f"{what}: {product} in sync")


async def _tick_and_check_every_message(r: Rig, ticks: int) -> int:
    """Tick; wait for each message the venue sent to be applied; the books must then be equal."""
    messages = 0
    for _ in range(ticks):
        sent = dict(r.server.feed.messages_sent)
        applied = dict(r.sink.applied)
        r.tick()
        for p in PRODUCTS:
            due = applied[p] + r.server.feed.messages_sent[p] - sent[p]
            messages += r.server.feed.messages_sent[p] - sent[p]
            await eventually(lambda p=p, due=due: r.sink.applied[p] >= due, 20.0, what=p)
            assert r.sink.applied[p] == due
            assert r.sink.live(p)
            assert r.held(p) == r.venue_levels(p)
    return messages


async def test_every_message_rebuilds_the_venues_book_and_is_verified() -> None:
    async with rig(depth=10) as r:
        await _synced(r, "first snapshot")
        verified_before = r.feed.stats.checksums_verified
        messages = await _tick_and_check_every_message(r, 60)
        stats = r.feed.stats
        assert messages >= 60
        assert stats.checksums_verified - verified_before == messages
        assert stats.checksum_mismatches == 0
        assert stats.resyncs == 0
        assert r.sink.count(FeedEventKind.SUBSCRIBED) == 2


async def test_deeper_subscription_truncates_like_the_venue() -> None:
    async with rig(depth=25) as r:
        await _synced(r, "first snapshot")
        await _tick_and_check_every_message(r, 40)
        assert len(r.held(XBT)[0]) == 25
        assert r.feed.stats.checksum_mismatches == 0


async def test_a_finer_tick_listed_midway_keeps_every_checksum_matching(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An ``instrument`` update changes how the checksum text is written: the book is rebuilt
    at the new precision, so nothing mismatches and nothing resyncs."""
    caplog.set_level(logging.INFO, logger="brokers.kraken_futures.unified.parse")
    async with rig(depth=25) as r:
        await _synced(r, "first snapshot")
        r.server.refine_tick(XBT)
        await eventually(
            lambda: any(f"{XBT} precision now" in m for m in caplog.messages),
            20.0,
            what="the instrument update",
        )
        await _tick_and_check_every_message(r, 40)
        stats = r.feed.stats
        assert stats.checksum_mismatches == 0
        assert stats.resyncs == 0
        assert not any(f"{ETH} precision now" in m for m in caplog.messages)


async def _tick_until_mismatch(r: Rig) -> None:
    for _ in range(200):
        r.tick()
        try:
            await eventually(lambda: r.feed.stats.checksum_mismatches > 0, 0.2)
            return
        except TimeoutError:
            continue
    raise AssertionError("no checksum mismatch was detected")


async def test_a_wrong_checksum_resyncs_that_symbol_only() -> None:
    async with rig() as r:
        await _synced(r, "first snapshot")
        r.server.unified_faults.wrong_checksum(XBT)
        await _tick_until_mismatch(r)
        assert r.sink.broken >= 1  # the core book went SYNCING: nothing could enter
        await _synced(r, "after the resync")
        await _tick_and_check_every_message(r, 10)
        resyncs = [e for e in r.sink.events if e.kind is FeedEventKind.RESYNC_REQUESTED]
        assert {e.product for e in resyncs} == {XBT}
        assert r.feed.stats.checksum_mismatches == 1


async def test_a_lost_update_is_caught_by_the_next_checksum_and_recovered() -> None:
    async with rig() as r:
        await _synced(r, "first snapshot")
        r.server.faults.drop_next_seq(ETH)
        await _tick_until_mismatch(r)
        assert r.feed.stats.checksum_mismatches == 1
        await _synced(r, "after the lost update")
        await _tick_and_check_every_message(r, 10)
        assert r.sink.broken >= 1  # the core book went SYNCING: nothing could enter


async def test_maintenance_makes_the_books_not_live_until_online_again() -> None:
    async with rig() as r:
        await _synced(r, "first snapshot")
        r.server.set_system("maintenance")
        await eventually(lambda: not r.sink.live(XBT) and not r.sink.live(ETH), 20.0)
        assert r.feed.system == "maintenance"
        for _ in range(20):
            r.tick()
        await eventually(lambda: r.feed.stats.dropped.get(UnifiedDrop.NOT_ONLINE, 0) > 0, 20.0)
        assert not r.sink.live(XBT) and not r.sink.live(ETH)
        r.server.set_system("online")
        await _synced(r, "back online")
        await _tick_and_check_every_message(r, 10)


async def test_silence_drops_the_connection_and_the_books_come_back() -> None:
    async with rig(silence_timeout_s=0.5) as r:
        await _synced(r, "first snapshot")
        r.server.faults.half_open_all()
        r.tick()
        await eventually(lambda: r.feed.stats.silent_disconnects >= 1, 20.0, what="silence seen")
        await eventually(lambda: r.feed.stats.reconnects >= 1, 20.0, what="reconnected")
        await _synced(r, "after reconnecting")
        await _tick_and_check_every_message(r, 10)


async def test_a_disconnect_is_followed_by_a_fresh_subscription() -> None:
    async with rig() as r:
        await _synced(r, "first snapshot")
        r.server.faults.disconnect_all(abrupt=True)
        await r.server.apply_disconnect_fault()
        await eventually(lambda: r.sink.count(FeedEventKind.DISCONNECTED) >= 1, 20.0)
        await eventually(lambda: r.feed.stats.reconnects >= 1, 20.0, what="reconnected")
        await _synced(r, "after reconnecting")
        await _tick_and_check_every_message(r, 10)


async def test_resyncs_of_one_symbol_are_rate_limited() -> None:
    async with rig(resync_interval_s=60.0) as r:
        await _synced(r, "first snapshot")
        for _ in range(20):
            r.feed.resync(XBT)
        await eventually(lambda: r.feed.stats.resyncs == 1, 20.0)
        await _synced(r, "after the first resync")
        for _ in range(20):
            r.feed.resync(XBT)
        await _tick_and_check_every_message(r, 10)  # time passes, messages flow
        assert r.feed.stats.resyncs == 1
        assert r.feed.stats.resyncs_deferred >= 1
        subscribes = [
            q
            for _, q in r.server.ws_requests
            if q.get("method") == "subscribe" and q["params"]["channel"] == "book"
        ]
        assert len(subscribes) == 2  # the first subscription and one resync
