"""Faults only the Unified WebSocket has, end to end: the real Unified adapter and the engine trade
live (on the sim) through a venue whose checksum lies, whose ``status`` channel says it is not
``online``, or whose tokens go stale.

Each test asserts what ``test_faults_feed.py`` does (see ``rig.py``): no decision and no entry
order on a book that was not LIVE (from the engine's record of each order, and for ``status`` from
the venue's record of the requests it got), the recovery, the counters, and a ledger that is the
venue's fills exactly after a kill switch the venue confirms flat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from brokers.kraken_futures.unified.execution import KrakenUnifiedExecution
from brokers.kraken_futures.unified.private import UnifiedPrivateSession
from brokers.kraken_futures.unified.stats import UnifiedDrop
from core.enums import BookState, OrderStatus
from tests.e2e.rig import XBT, Rig, trading_rig
from tests.e2e.test_faults_feed import finish
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

Log = Callable[[str, float], None]


def private_session(rig: Rig) -> UnifiedPrivateSession:
    venue = rig.session.connection.venue
    assert isinstance(venue, KrakenUnifiedExecution) and venue.session is not None
    return venue.session


async def test_a_wrong_checksum_resyncs_the_book_and_it_recovers(recovery_log: Log) -> None:
    async with trading_rig(protocol="unified") as rig:
        await rig.trading(fills=1)
        t0 = time.monotonic()
        rig.unified_server.unified_faults.wrong_checksum(XBT)
        down = await rig.went_down(t0)
        recovery_log("a wrong checksum -> resync", await rig.recovery(down))
        c, stats = rig.counters, rig.unified_stats
        assert (c.gaps, c.resyncs, c.reconnects, c.dropped_frames) == (1, 1, 0, 0)
        assert (stats.checksum_mismatches, stats.resyncs, stats.reconnects) == (1, 1, 0)
        assert [st for _, st, _ in rig.witness.changes_since(t0)] == [
            BookState.SYNCING,
            BookState.LIVE,
        ]
        await finish(rig)


def entries_among(requests: list[tuple[int, Any]]) -> list[Any]:
    return [
        r
        for _, r in requests
        if r.get("method") == "add_order" and not r.get("params", {}).get("reduce_only")
    ]


@pytest.mark.parametrize("system", ["maintenance", "cancel_only", "post_only"])
async def test_a_venue_status_other_than_online_stops_entries_until_it_is_online(
    system: str, recovery_log: Log
) -> None:
    async with trading_rig(protocol="unified") as rig:
        server = rig.unified_server
        await rig.trading(fills=1)
        t0 = time.monotonic()
        decisions_before = len(rig.witness.decisions)
        requests_before = len(server.private_requests)
        server.set_system(system)
        down = await rig.went_down(t0)
        [(_, state, reason), *_] = rig.witness.changes_since(t0)
        assert state is BookState.SYNCING and f"venue status {system}" in reason, reason
        # Said in the words the notifier sends on (as for a scheduled maintenance window).
        assert rig.witness.noticed(f"venue maintenance: venue status {system}") is not None
        # The market keeps moving: book messages arrive and are dropped, nothing is decided.
        stats = lambda: rig.unified_stats.dropped.get(UnifiedDrop.NOT_ONLINE, 0)  # noqa: E731
        await eventually(lambda: stats() >= 50, 20, what="book messages while not online")
        assert rig.engine.book.state is not BookState.LIVE
        # Longer than the resync timeout (1 s): the watchdog does not ask again meanwhile.
        await eventually(lambda: time.monotonic() - down > 2.5, 10)
        assert len(rig.witness.decisions) == decisions_before, "decided while not online"
        during = server.private_requests[requests_before:]
        server.set_system("online")
        healthy = time.monotonic()
        recovery_log(f"venue status {system} -> online", await rig.recovery(healthy))
        assert entries_among(during) == [], "the venue got an entry while it was not online"
        assert rig.witness.noticed("venue maintenance over: venue status online") is not None
        c, feed = rig.counters, rig.unified_stats
        # Down for the venue's status, not for a broken book: no gap, no engine resync, no retry.
        assert (c.gaps, c.resyncs, c.resync_retries, c.reconnects) == (0, 0, 0, 0)
        # The connection's first status (online), the outage, online again; one resync then.
        assert (feed.status_changes, feed.resyncs, feed.checksum_mismatches) == (3, 1, 0)
        await eventually(  # trading resumes: an entry after the venue is back
            lambda: len(rig.witness.fills) > 1 and rig.witness.orders[-1][0] > healthy,
            20,
            what="an order after the venue is online again",
        )
        await finish(rig)


async def test_tokens_gone_stale_mid_session_are_replaced_and_trading_goes_on() -> None:
    """The venue forgets every token; the open private socket stays up and answers each request
    with ``EAPI:Invalid token``. The adapter reconnects with a fresh token and the refused
    request (a dead man's switch refresh, or an order) goes out once more: no order is lost."""
    async with trading_rig(protocol="unified") as rig:
        server, private = rig.unified_server, private_session(rig)
        await rig.trading(fills=1)
        issued = server.tokens.issued
        fills = len(rig.witness.fills)
        server.expire_tokens()
        await eventually(lambda: private.counters.token_errors >= 1, 20, what="a token refused")
        await eventually(
            lambda: private.ready and server.tokens.issued > issued, 20, what="a new token"
        )
        await eventually(lambda: len(rig.witness.fills) >= fills + 2, 30, what="more fills")
        assert private.counters.reconnects >= 1
        refused = [
            res for _, _, res in rig.witness.orders if res and res.status is OrderStatus.REJECTED
        ]
        assert refused == [], [r.reason for r in refused]
        # The dead man's switch was refreshed on the new connection (with the new token).
        arms = [
            r for n, r in server.private_requests if r.get("method") == "cancel_all_orders_after"
        ]
        assert arms and server.exchange.account(rig.api_key).dead_man_deadline_ns is not None
        await finish(rig)


async def test_a_token_past_its_lifetime_is_refused_and_a_fresh_one_fetched() -> None:
    """A token used for the first time after its 15 minutes is refused on subscribe: the
    adapter drops that connection and the next one brings a new token."""
    async with trading_rig(protocol="unified") as rig:
        server, private = rig.unified_server, private_session(rig)
        await rig.trading(fills=1)
        issued = server.tokens.issued
        server.unified_faults.issue_expired_tokens(1)
        await server.private.close_all()
        await eventually(lambda: private.counters.token_errors == 1, 20, what="the old token")
        await eventually(lambda: private.ready and server.tokens.issued == issued + 2, 20)
        assert private.counters.reconnects == 2
        fills = len(rig.witness.fills)
        await eventually(lambda: len(rig.witness.fills) > fills, 30, what="trading on")
        await finish(rig)


@pytest.mark.parametrize("system", ["maintenance", "cancel_only"])
async def test_a_position_held_into_an_outage_is_closed_once_the_venue_takes_orders(
    system: str,
) -> None:
    """Exits follow the not-LIVE rule: the protective close of a position on a book down too
    long is tried at once, but no order matches while the venue is not online (docs: in
    ``maintenance`` even cancels are refused, in ``cancel_only`` new orders). The venue refuses;
    the engine keeps trying, and the position is closed once the venue is online again."""
    async with trading_rig(
        protocol="unified",
        not_live_grace_seconds=1.0,
        take_profit_pct=50,
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1_000_000,
    ) as rig:
        server = rig.unified_server
        await rig.trading(fills=1)
        await eventually(lambda: rig.engine.ledger.position.quantity != 0)
        held = rig.engine.ledger.position.quantity
        t0, mark = time.monotonic(), len(server.private_requests)
        server.set_system(system)
        await rig.went_down(t0)
        tried = "cancel_all" if system == "maintenance" else "add_order"

        def exits() -> list[Any]:
            return [
                r
                for _, r in server.private_requests[mark:]
                if r.get("method") == tried and r["params"].get("reduce_only") in (None, True)
            ]

        await eventually(lambda: len(exits()) >= 2, 30, what=f"the close tried ({tried})")
        assert rig.engine.ledger.position.quantity == held, "the venue took no order"
        during = server.private_requests[mark:]
        server.set_system("online")
        await eventually(lambda: rig.engine.ledger.position.quantity == 0, 30, what="flat")
        assert entries_among(during) == []
        assert rig.witness.noticed("not LIVE for 1s with a position open") is not None
        await finish(rig)


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "dropped-socket"])
async def test_a_dropped_private_socket_comes_back_with_a_new_token(abrupt: bool) -> None:
    """The private socket (orders, executions, positions) drops while trading: the adapter
    reconnects with a fresh token, resubscribes, and trading goes on; every fill is the ledger's
    once (an order in flight is settled from the executions snapshot, never sent again)."""
    async with trading_rig(protocol="unified") as rig:
        server, private = rig.unified_server, private_session(rig)
        await rig.trading(fills=1)
        issued, fills = server.tokens.issued, len(rig.witness.fills)
        await server.private.close_all(abrupt=abrupt)
        await eventually(lambda: private.counters.reconnects == 1 and private.ready, 20)
        assert server.tokens.issued == issued + 1
        assert rig.counters.reconnects == 0, "the public socket is another connection"
        await eventually(lambda: len(rig.witness.fills) > fills + 1, 30, what="trading on")
        await finish(rig)


async def test_a_reconnect_during_maintenance_stays_down_until_online() -> None:
    """The connection drops during maintenance: the new one's first ``status`` says maintenance,
    so its snapshot does not make the book LIVE; ``online`` then does."""
    async with trading_rig(protocol="unified") as rig:
        server = rig.unified_server
        await rig.trading(fills=1)
        t0, mark = time.monotonic(), len(server.private_requests)
        server.set_system("maintenance")
        await rig.went_down(t0)
        server.faults.disconnect_all(abrupt=True)
        await eventually(lambda: rig.unified_stats.reconnects == 1, 20, what="reconnected")
        subscribed = rig.unified_stats.snapshots
        await eventually(  # the new connection's snapshot came, and was not taken
            lambda: rig.unified_stats.dropped.get(UnifiedDrop.NOT_ONLINE, 0) > 20, 20
        )
        assert rig.unified_stats.snapshots == subscribed
        assert [st for _, st, _ in rig.witness.changes_since(t0)].count(BookState.LIVE) == 0
        during = server.private_requests[mark:]
        server.set_system("online")
        await rig.recovery(time.monotonic())
        assert entries_among(during) == []
        assert rig.counters.resync_retries == 0
        await finish(rig)
