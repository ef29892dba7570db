"""The dead-man's switch through the real adapter against the simulated venue, over sockets:
armed at once, refreshed by its own task, disarmed on a clean exit, and firing after a crash."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from brokers.kraken_futures import DeadMansSwitch, KrakenFuturesRest
from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from brokers.sim.market.orders import EndReason, OrderKind, OrderState
from core.enums import Side
from core.ports import VenueError
from tests.brokers.kraken_futures.conftest import StepClock
from tests.waiting import eventually

XBT = "PF_XBTUSD"
S = 1_000_000_000


@pytest.fixture
async def venue() -> AsyncIterator[tuple[KrakenFuturesSimServer, StepClock, KrakenFuturesRest]]:
    clock = StepClock()
    server = KrakenFuturesSimServer(products=[XBT], seed=3, clock=clock, ticking=False)
    await server.start(port=0)
    rest = KrakenFuturesRest(
        rest_url=server.rest_url, api_key=SIM_API_KEY, api_secret=SIM_API_SECRET
    )
    try:
        yield server, clock, rest
    finally:
        await rest.close()
        await server.stop()


def timeouts(server: KrakenFuturesSimServer) -> list[str]:
    return [p["timeout"][0] for e, p in server.rest_calls if e == "cancelallordersafter"]


async def test_armed_at_start_refreshed_by_a_named_task_and_disarmed_on_a_clean_exit(
    venue: tuple[KrakenFuturesSimServer, StepClock, KrakenFuturesRest],
) -> None:
    server, clock, rest = venue
    switch = DeadMansSwitch(rest, timeout_s=60, refresh_s=0.05)
    await switch.start()
    account = server.exchange.account(SIM_API_KEY)
    assert account.dead_man_deadline_ns == clock.now_ns + 60 * S
    assert switch.armed
    assert "kraken-futures-dead-man" in {t.get_name() for t in asyncio.all_tasks()}
    await eventually(lambda: switch.stats.arms >= 4)
    await switch.stop()
    assert timeouts(server)[:4] == ["60"] * 4
    assert timeouts(server)[-1] == "0"
    assert account.dead_man_deadline_ns is None
    assert switch.stats.disarmed and not switch.armed
    assert "kraken-futures-dead-man" not in {t.get_name() for t in asyncio.all_tasks()}


async def test_after_a_crash_the_venue_cancels_resting_orders_when_the_timeout_runs_out(
    venue: tuple[KrakenFuturesSimServer, StepClock, KrakenFuturesRest],
) -> None:
    server, clock, rest = venue
    switch = DeadMansSwitch(rest, timeout_s=60, refresh_s=15)
    await switch.start()
    bid = server.book(XBT).best_bid - 100
    placed = server.exchange.place(
        SIM_API_KEY,
        XBT,
        Side.BUY,
        OrderKind.LIMIT,
        Decimal("0.01"),
        limit_price=bid,
        now_ns=clock(),
    )
    order = placed.order
    assert order is not None and order.state is OrderState.OPEN
    await switch.stop(disarm=False)  # the console dies: nobody refreshes, nobody disarms
    clock.advance(59_000)
    server.tick(clock())
    assert order.state is OrderState.OPEN, "not before the timeout"
    clock.advance(2_000)
    server.tick(clock())
    assert order.state is OrderState.CANCELLED and order.reason is EndReason.DEAD_MAN_SWITCH


async def test_a_failed_refresh_is_reported_and_retried(
    venue: tuple[KrakenFuturesSimServer, StepClock, KrakenFuturesRest],
) -> None:
    server, _, rest = venue
    problems: list[str] = []
    switch = DeadMansSwitch(rest, timeout_s=60, refresh_s=0.05, on_problem=problems.append)
    await switch.start()
    server.faults.fail_rest("cancelallordersafter", status=503)
    await eventually(lambda: switch.stats.arms >= 3)
    await switch.stop()
    assert switch.stats.failures == 1
    [problem] = problems
    assert "dead-man's switch refresh failed" in problem and "503" in problem


async def test_a_venue_that_refuses_the_first_arm_stops_the_start(
    venue: tuple[KrakenFuturesSimServer, StepClock, KrakenFuturesRest],
) -> None:
    server, _, rest = venue
    server.faults.fail_rest("cancelallordersafter", status=200, error="authenticationError")
    switch = DeadMansSwitch(rest)
    with pytest.raises(VenueError, match="authentication"):
        await switch.start()
    assert not switch.armed


def test_nonsense_timings_are_refused() -> None:
    rest = KrakenFuturesRest(rest_url="http://127.0.0.1:1/derivatives/api/v3")
    for timeout_s, refresh_s in ((0, 1.0), (60, 0), (60, 60)):
        with pytest.raises(ValueError):
            DeadMansSwitch(rest, timeout_s=timeout_s, refresh_s=refresh_s)
