"""The dead man's switch firing at the simulated Unified venue (its refreshes lost for longer
than its timeout) is seen by the next refresh that arrives, which re-arms it: said once, kept
for the display, over real sockets."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from brokers.kraken_futures.dead_man import DeadMansSwitch
from brokers.kraken_futures.unified.execution import KrakenUnifiedExecution
from brokers.kraken_futures.unified.private import UnifiedPrivateSession
from brokers.kraken_futures.unified.token import TokenSource
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET
from core.dead_man import DeadManPhase
from tests.brokers.kraken_unified.test_private_on_sim import FAST
from tests.waiting import eventually


@contextlib.asynccontextmanager
async def venue_on(server: KrakenUnifiedSimServer) -> AsyncIterator[KrakenUnifiedExecution]:
    """The adapter on the sim, a lost reply known lost after 0.5 s."""
    tokens = TokenSource(server.rest_url, SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET)
    session = UnifiedPrivateSession(
        server.private_ws_url, tokens, backoff=FAST, request_timeout_s=0.5
    )
    venue = KrakenUnifiedExecution(public_ws_url=server.ws_url, session=session)
    try:
        await session.start()
        yield venue
    finally:
        await venue.close()


async def test_a_fired_switch_is_seen_reported_and_re_armed() -> None:
    """An outage (no private socket) longer than the timeout: its refreshes were never sent, so
    the firing is certain."""
    async with KrakenUnifiedSimServer(seed=8) as server, venue_on(server) as venue:
        said: list[str] = []
        switch = DeadMansSwitch(venue, timeout_s=1, refresh_s=0.3, on_problem=said.append)
        await switch.start()
        try:
            await eventually(lambda: switch.stats.arms >= 2, 10, what="refreshed")
            view = switch.view()
            assert view.phase is DeadManPhase.ARMED and view.timeout_s == 1
            assert not view.fired_at and switch.stats.fired == 0
            confirmed_trigger = switch.stats.trigger_time
            server.unified_faults.cut_private_after_next_arm(2.5)
            await eventually(lambda: server.dead_man_fired == 1, 15, what="the venue fired it")
            account = server.exchange.account(SIM_UNIFIED_API_KEY)
            await eventually(lambda: switch.stats.fired == 1, 20, what="the firing seen")
            assert account.dead_man_deadline_ns is not None  # re-armed by that refresh
            view = switch.view()
            assert view.fired_at and view.fired_surely and view.failures == 0
            assert view.fired_at >= confirmed_trigger  # the venue's trigger time that fired
            assert [s for s in said if "FIRED" in s] == [said[-1]]
            assert said[-1].startswith("dead man's switch FIRED at ") and "re-armed" in said[-1]
            assert view.text(view.refreshed_wall_ns or 0).startswith("FIRED at ")
        finally:
            await switch.stop()
        assert switch.view().phase is DeadManPhase.OFF


async def test_refreshes_whose_answers_were_lost_may_have_kept_it_armed() -> None:
    """Refreshes lost on the way look, to the client, like answers lost: it may have fired."""
    async with KrakenUnifiedSimServer(seed=10) as server, venue_on(server) as venue:
        said: list[str] = []
        switch = DeadMansSwitch(venue, timeout_s=1, refresh_s=0.3, on_problem=said.append)
        await switch.start()
        try:
            await eventually(lambda: switch.stats.arms >= 2, 10, what="refreshed")
            server.unified_faults.lose_dead_man_refreshes(3)  # ~2.4 s without one: > 1 s
            await eventually(lambda: server.dead_man_fired == 1, 15, what="the venue fired it")
            await eventually(lambda: switch.stats.fired == 1, 15, what="the firing seen")
        finally:
            await switch.stop()
        view = switch.stats
        assert not view.fired_surely
        assert said[-1].startswith("dead man's switch may have FIRED at ")


async def test_refreshes_that_keep_arriving_never_count_as_fired() -> None:
    async with KrakenUnifiedSimServer(seed=9) as server, venue_on(server) as venue:
        switch = DeadMansSwitch(venue, timeout_s=2, refresh_s=0.2)
        await switch.start()
        try:
            await eventually(lambda: switch.stats.arms >= 8, 15, what="refreshes")
        finally:
            await switch.stop()
        assert switch.stats.fired == 0 and server.dead_man_fired == 0
