"""Settling orders a dead run left in flight (``core.engine.settle``), with the real Kraken
Futures REST adapter against the simulated venue, over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from brokers.kraken_futures import KrakenFuturesRest, new_client_order_id
from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from core.engine.settle import NEVER_PLACED, InFlightOrder, SettleError, settle_in_flight
from core.enums import OrderStatus, Side
from core.ports import OrderRequest, OrderResult
from tests.brokers.kraken_futures.conftest import StepClock

XBT = "PF_XBTUSD"


@pytest.fixture
async def server() -> AsyncIterator[KrakenFuturesSimServer]:
    sim = KrakenFuturesSimServer(products=[XBT], seed=3, clock=StepClock())
    await sim.start(port=0)
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def rest(server: KrakenFuturesSimServer) -> AsyncIterator[KrakenFuturesRest]:
    venue = KrakenFuturesRest(
        rest_url=server.rest_url,
        api_key=SIM_API_KEY,
        api_secret=SIM_API_SECRET,
        key_setting="KRAKEN_DEMO_API_KEY",
        secret_setting="KRAKEN_DEMO_API_SECRET",
    )
    try:
        yield venue
    finally:
        await venue.close()


def order(quantity: str = "0.002") -> InFlightOrder:
    return InFlightOrder(OrderRequest(new_client_order_id(), XBT, Side.BUY, Decimal(quantity)))


async def test_the_venue_settles_a_filled_order_and_one_it_never_saw(
    rest: KrakenFuturesRest, server: KrakenFuturesSimServer
) -> None:
    filled, unseen = order(), order()
    await rest.place_order(filled.request)  # it reached the venue; its answer was "lost"
    booked: list[tuple[InFlightOrder, OrderResult]] = []
    notices: list[str] = []

    async def book(inflight: InFlightOrder, result: OrderResult) -> int:
        booked.append((inflight, result))
        return len(result.fills)

    settled = await settle_in_flight([filled, unseen], rest, book, notices.append)
    [(first, answer), (second, none)] = booked
    assert first is filled and answer.status is OrderStatus.FILLED
    venue = [f for f in server.exchange.account(SIM_API_KEY).fills if f.client_id]
    assert [(f.fill_id, f.price, f.size, f.ts_ns) for f in venue] == [
        (f.fill_id, f.price, f.quantity, f.wall_ns) for f in answer.fills
    ], "the venue's fills, with the venue's fill times"
    assert second is unseen
    assert (none.status, none.reason, none.fills) == (OrderStatus.NOT_FILLED, NEVER_PLACED, ())
    assert (settled.asked, settled.filled, settled.never_placed) == (2, 1, 1)
    assert settled.fills_booked == len(answer.fills)
    assert notices == [settled.describe()]


async def test_a_venue_that_cannot_answer_stops_the_start(
    rest: KrakenFuturesRest, server: KrakenFuturesSimServer
) -> None:
    server.faults.fail_rest("orders/status", times=10, status=503)

    async def book(inflight: InFlightOrder, result: OrderResult) -> int:
        raise AssertionError("nothing may be booked on a guess")

    inflight = order()
    with pytest.raises(SettleError, match=rf"{inflight.request.client_order_id}.*not trading"):
        await settle_in_flight([inflight], rest, book, print, attempts=3, backoff_s=0.01)
