"""The real Kraken Futures REST venue against the simulated venue, over real sockets."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from brokers.kraken_futures import KrakenFuturesRest, new_client_order_id
from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from core.enums import ContractType, OrderStatus, OrderType, Side
from core.ports import OrderRequest, VenueError
from tests.brokers.kraken_futures.conftest import DOCS_SECRET, StepClock

XBT = "PF_XBTUSD"
HINT = "KRAKEN_DEMO_API_KEY and KRAKEN_DEMO_API_SECRET"


@pytest.fixture
async def server() -> AsyncIterator[KrakenFuturesSimServer]:
    sim = KrakenFuturesSimServer(products=[XBT, "PI_XBTUSD"], seed=3, clock=StepClock())
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


def market(side: Side, quantity: Decimal, *, reduce_only: bool = False) -> OrderRequest:
    return OrderRequest(new_client_order_id(), XBT, side, quantity, reduce_only=reduce_only)


async def test_instruments_come_from_the_venue(rest: KrakenFuturesRest) -> None:
    instruments = await rest.instruments()
    assert set(instruments) == {XBT, "PI_XBTUSD"}
    assert instruments[XBT].contract_type is ContractType.LINEAR
    assert instruments["PI_XBTUSD"].contract_type is ContractType.INVERSE
    assert instruments[XBT].size_step > 0 and instruments[XBT].tick_size > 0


async def test_live_round_trip_opens_then_closes_reduce_only_back_to_flat(
    server: KrakenFuturesSimServer, rest: KrakenFuturesRest
) -> None:
    instrument = (await rest.instruments())[XBT]
    quantity = instrument.quantity_for_notional(Decimal(100), server.book(XBT).best_ask)
    assert quantity > 0

    opened = await rest.place_order(market(Side.BUY, quantity))
    assert opened.status is OrderStatus.FILLED, opened.reason
    assert opened.filled_quantity == quantity
    assert opened.venue_order_id
    assert all(f.price > 0 and f.fill_id for f in opened.fills)
    (position,) = await rest.open_positions()
    assert (position.product, position.quantity) == (XBT, quantity)

    closed = await rest.place_order(market(Side.SELL, quantity, reduce_only=True))
    assert closed.status is OrderStatus.FILLED, closed.reason
    assert closed.filled_quantity == quantity
    assert await rest.open_positions() == []

    # What the venue saw: two orders, each with its own client id, the close reduce-only.
    orders = list(server.exchange.account(SIM_API_KEY).orders.values())
    assert [o.client_id for o in orders] == [opened.client_order_id, closed.client_order_id]
    assert opened.client_order_id != closed.client_order_id
    assert [o.reduce_only for o in orders] == [False, True]
    assert [o.side for o in orders] == [Side.BUY, Side.SELL]


async def test_order_status_finds_a_recent_order_by_client_id(rest: KrakenFuturesRest) -> None:
    sent = await rest.place_order(market(Side.BUY, Decimal("0.001")))
    status = await rest.order_status(sent.client_order_id, XBT, quantity=Decimal("0.001"))
    assert status is not None
    assert status.status is OrderStatus.FILLED
    assert status.venue_order_id == sent.venue_order_id
    # The same fills (ids, prices, sizes); the fills list also says when each happened.
    assert tuple(dataclasses.replace(f, wall_ns=0) for f in status.fills) == sent.fills
    assert all(f.wall_ns > 0 for f in status.fills)
    assert await rest.order_status(new_client_order_id(), XBT) is None


async def test_an_answer_lost_after_the_venue_acted_is_unknown_and_the_venue_can_tell(
    server: KrakenFuturesSimServer, rest: KrakenFuturesRest
) -> None:
    server.faults.fail_rest("sendorder", status=503, after_execute=True)
    order = market(Side.BUY, Decimal("0.002"))
    lost = await rest.place_order(order)
    assert lost.status is OrderStatus.UNKNOWN
    assert "HTTP 503" in lost.reason
    # Never a second order for one decision: ask first, and the venue says it was filled.
    found = await rest.order_status(order.client_order_id, XBT, quantity=order.quantity)
    assert found is not None and found.status is OrderStatus.FILLED
    assert found.filled_quantity == Decimal("0.002")
    assert len(server.exchange.account(SIM_API_KEY).orders) == 1


async def test_a_refused_request_is_not_unknown(
    server: KrakenFuturesSimServer, rest: KrakenFuturesRest
) -> None:
    server.faults.fail_rest("sendorder", status=200, error="apiLimitExceeded")
    with pytest.raises(VenueError) as caught:
        await rest.place_order(market(Side.BUY, Decimal("0.001")))
    assert caught.value.retryable and caught.value.code == "apiLimitExceeded"
    server.faults.fail_rest("openpositions", status=429)
    with pytest.raises(VenueError) as caught:
        await rest.open_positions()
    assert caught.value.retryable and caught.value.code == "http_429"
    assert server.exchange.account(SIM_API_KEY).orders == {}


async def test_reduce_only_with_nothing_to_reduce_is_rejected(rest: KrakenFuturesRest) -> None:
    result = await rest.place_order(market(Side.SELL, Decimal("0.001"), reduce_only=True))
    assert result.status is OrderStatus.REJECTED
    assert result.fills == ()
    assert result.reason


async def test_ioc_limit_far_from_the_market_does_not_fill(
    server: KrakenFuturesSimServer, rest: KrakenFuturesRest
) -> None:
    far_below = (server.book(XBT).best_ask * Decimal("0.5")).quantize(Decimal(1))
    order = OrderRequest(
        new_client_order_id(), XBT, Side.BUY, Decimal("0.001"), OrderType.LIMIT_IOC, far_below
    )
    result = await rest.place_order(order)
    assert result.status is OrderStatus.NOT_FILLED
    assert result.fills == ()


async def test_a_wrong_secret_is_an_authentication_error_naming_the_settings(
    server: KrakenFuturesSimServer,
) -> None:
    venue = KrakenFuturesRest(
        rest_url=server.rest_url,
        api_key=SIM_API_KEY,
        api_secret=DOCS_SECRET,  # valid base64, wrong secret
        key_setting="KRAKEN_DEMO_API_KEY",
        secret_setting="KRAKEN_DEMO_API_SECRET",
    )
    try:
        with pytest.raises(VenueError) as caught:
            await venue.place_order(market(Side.BUY, Decimal("0.001")))
    finally:
        await venue.close()
    assert caught.value.code == "authenticationError"
    assert not caught.value.retryable
    assert HINT in str(caught.value)
    assert DOCS_SECRET not in str(caught.value) and SIM_API_SECRET not in str(caught.value)
    assert server.exchange.account(SIM_API_KEY).orders == {}


async def test_dead_mans_switch_arms_and_disarms(
    server: KrakenFuturesSimServer, rest: KrakenFuturesRest
) -> None:
    trigger = await rest.cancel_all_orders_after(60)
    assert trigger and trigger != "0"
    assert server.exchange.account(SIM_API_KEY).dead_man_deadline_ns is not None
    assert await rest.cancel_all_orders_after(0) == "0"
    assert server.exchange.account(SIM_API_KEY).dead_man_deadline_ns is None


async def test_account_open_orders_and_cancel_all(rest: KrakenFuturesRest) -> None:
    account = await rest.account()
    assert account.balances["USD"].free == Decimal(10_000)
    assert await rest.open_orders() == []
    await rest.cancel_all_orders()
    await rest.cancel_all_orders(XBT)
