"""The Unified private side end to end over real sockets: the adapter's token, private socket and
execution venue against the simulated Unified venue's token endpoint and ``/v2/private``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from brokers.kraken_futures.dead_man import DeadMansSwitch
from brokers.kraken_futures.unified.execution import KrakenUnifiedExecution
from brokers.kraken_futures.unified.private import UnifiedPrivateSession
from brokers.kraken_futures.unified.token import TokenSource
from brokers.net.backoff import BackoffPolicy
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET
from core.enums import OrderStatus, OrderType, Side
from core.ports import OrderRequest, VenueError
from tests.waiting import eventually

XBT = "PF_XBTUSD"
FAST = BackoffPolicy(initial_s=0.05, max_s=0.2, jitter=0.1)


@contextlib.asynccontextmanager
async def venue_on(
    server: KrakenUnifiedSimServer, *, secret: str = SIM_UNIFIED_API_SECRET
) -> AsyncIterator[KrakenUnifiedExecution]:
    tokens = TokenSource(server.rest_url, SIM_UNIFIED_API_KEY, secret)
    session = UnifiedPrivateSession(server.private_ws_url, tokens, backoff=FAST)
    venue = KrakenUnifiedExecution(public_ws_url=server.ws_url, session=session)
    try:
        await session.start()
        yield venue
    finally:
        await venue.close()


def market(side: Side, quantity: str, cid: str, *, reduce_only: bool = False) -> OrderRequest:
    return OrderRequest(
        cid, XBT, side, Decimal(quantity), OrderType.MARKET, reduce_only=reduce_only
    )


async def test_token_subscriptions_and_snapshots() -> None:
    async with KrakenUnifiedSimServer(seed=1) as server, venue_on(server) as venue:
        assert server.tokens.issued == 1
        call = server.token_api.calls[0]
        assert call["path"] == "/0/private/GetWebSocketsToken"
        assert call["body"].startswith("nonce=")
        subscribed = [r for _, r in server.private_requests if r.get("method") == "subscribe"]
        channels = [r["params"]["channel"] for r in subscribed]
        assert channels == ["executions", "positions", "balances"]
        assert all(r["params"]["token"] for r in subscribed)
        assert subscribed[0]["params"]["asset_class"] == "derivatives"
        assert await venue.open_orders() == []
        assert await venue.open_positions() == []
        balances = (await venue.account()).balances
        assert balances["USD"].free == Decimal(10_000)
        instruments = await venue.instruments()
        assert instruments[XBT].size_step == Decimal("0.0001")


async def test_a_wrong_secret_is_refused_in_one_line() -> None:
    wrong = "c2ltIHdyb25nIHNlY3JldA=="
    async with KrakenUnifiedSimServer(seed=1) as server:
        tokens = TokenSource(server.rest_url, SIM_UNIFIED_API_KEY, wrong)
        session = UnifiedPrivateSession(server.private_ws_url, tokens, backoff=FAST)
        with pytest.raises(VenueError, match="EAPI:Invalid signature") as caught:
            await session.start(timeout_s=10)
        assert wrong not in str(caught.value)
        assert server.tokens.issued == 0


async def test_market_order_fills_with_its_fee_booked_exactly_and_closes_reduce_only() -> None:
    async with KrakenUnifiedSimServer(seed=2) as server, venue_on(server) as venue:
        result = await venue.place_order(market(Side.BUY, "0.0100", "cid-open-1"))
        assert result.status is OrderStatus.FILLED, result.reason
        sim_fills = server.exchange.account(SIM_UNIFIED_API_KEY).fills
        assert [f.fill_id for f in result.fills] == [f.fill_id for f in sim_fills]
        assert [f.fee for f in result.fills] == [f.fee for f in sim_fills]
        assert [f.price for f in result.fills] == [f.price for f in sim_fills]
        assert result.filled_quantity == Decimal("0.0100")
        positions = await venue.open_positions()
        assert [(p.product, p.quantity) for p in positions] == [(XBT, Decimal("0.0100"))]
        sent = next(r for _, r in server.private_requests if r.get("method") == "add_order")
        params = sent["params"]
        assert params["cl_ord_id"] == "cid-open-1" and params["order_qty"] == 0.01
        assert params["order_type"] == "market" and params["asset_class"] == "derivatives"
        deadline = datetime.fromisoformat(params["deadline"].replace("Z", "+00:00"))
        assert 0 < (deadline - datetime.now(UTC)).total_seconds() <= 60

        close = await venue.place_order(
            market(Side.SELL, "0.0100", "cid-close-1", reduce_only=True)
        )
        assert close.status is OrderStatus.FILLED, close.reason
        assert await venue.open_positions() == []
        account = server.exchange.account(SIM_UNIFIED_API_KEY)
        booked = sum(
            (f.fee for f in (*result.fills, *close.fills) if f.fee is not None), Decimal(0)
        )
        assert booked == account.fees_paid > 0


async def test_a_refused_order_is_rejected_with_the_venues_words() -> None:
    async with KrakenUnifiedSimServer(seed=3) as server, venue_on(server) as venue:
        server.unified_faults.refuse_orders(error="EOrder:Insufficient funds")
        result = await venue.place_order(market(Side.BUY, "0.0100", "cid-refused"))
        assert result.status is OrderStatus.REJECTED
        assert "EOrder:Insufficient funds" in result.reason
        assert server.exchange.account(SIM_UNIFIED_API_KEY).fills == []
        nothing = await venue.place_order(
            market(Side.SELL, "0.0100", "cid-nothing", reduce_only=True)
        )
        assert nothing.status is OrderStatus.NOT_FILLED
        assert "Reduce-only" in nothing.reason


async def test_a_lost_answer_is_settled_from_executions_and_never_sent_again() -> None:
    async with KrakenUnifiedSimServer(seed=4) as server:
        tokens = TokenSource(server.rest_url, SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET)
        session = UnifiedPrivateSession(
            server.private_ws_url, tokens, backoff=FAST, request_timeout_s=1.0
        )
        venue = KrakenUnifiedExecution(public_ws_url=server.ws_url, session=session)
        try:
            await session.start()
            server.unified_faults.lose_order_answers()
            result = await venue.place_order(market(Side.BUY, "0.0100", "cid-lost"))
        finally:
            await venue.close()
        assert result.status is OrderStatus.FILLED, result.reason
        sent = [r for _, r in server.private_requests if r.get("method") == "add_order"]
        assert len(sent) == 1


async def test_cancel_all_cancels_resting_orders_and_the_stream_says_so() -> None:
    async with KrakenUnifiedSimServer(seed=5) as server, venue_on(server) as venue:
        below = server.book(XBT).best_bid - 500
        for n in range(2):
            order = OrderRequest(
                f"cid-rest-{n}", XBT, Side.BUY, Decimal("0.0010"), OrderType.MARKET
            )
            session = venue.session
            assert session is not None
            reply = await session.request(
                "add_order",
                {"asset_class": "derivatives", "order_type": "limit", "side": "buy",
                 "order_qty": order.quantity, "limit_price": below, "symbol": XBT,
                 "cl_ord_id": order.client_order_id},
            )  # fmt: skip
            assert reply["success"] is True, reply
        await eventually(lambda: len(session.state.open_orders()) == 2, 10)
        assert {o.client_order_id for o in await venue.open_orders()} == {
            "cid-rest-0",
            "cid-rest-1",
        }
        await venue.cancel_all_orders(XBT)
        assert await venue.open_orders() == []
        assert not list(server.exchange.account(SIM_UNIFIED_API_KEY).open_orders())


async def test_dead_mans_switch_armed_refreshed_fired_and_re_armed() -> None:
    async with KrakenUnifiedSimServer(seed=6) as server, venue_on(server) as venue:
        switch = DeadMansSwitch(venue, timeout_s=60, refresh_s=0.2)
        await switch.start()
        try:
            await eventually(lambda: switch.stats.arms >= 3, 10, what="three arms")
        finally:
            await switch.stop()
        assert switch.stats.disarmed
        sent = [r["params"]["timeout"] for _, r in server.private_requests
                if r.get("method") == "cancel_all_orders_after"]  # fmt: skip
        assert sent[:3] == [60, 60, 60] and sent[-1] == 0
        assert server.exchange.account(SIM_UNIFIED_API_KEY).dead_man_deadline_ns is None
        assert switch.stats.trigger_time  # the venue's triggerTime of the last arm

        # Fired: a resting order is canceled by the venue, the stream says so; the next request
        # arms it again.
        session = venue.session
        assert session is not None
        reply = await session.request(
            "add_order",
            {"asset_class": "derivatives", "order_type": "limit", "side": "buy",
             "order_qty": Decimal("0.0010"), "limit_price": server.book(XBT).best_bid - 500,
             "symbol": XBT, "cl_ord_id": "cid-dms"},
        )  # fmt: skip
        assert reply["success"] is True
        assert await venue.cancel_all_orders_after(1)
        await eventually(lambda: server.dead_man_fired == 1, 10, what="the switch fired")
        await eventually(lambda: session.state.orders["cid-dms"].ended, 10)
        assert session.state.orders["cid-dms"].reason == "Dead man's switch"
        assert server.exchange.account(SIM_UNIFIED_API_KEY).dead_man_deadline_ns is None
        trigger = await venue.cancel_all_orders_after(60)
        assert trigger != "0"
        assert server.exchange.account(SIM_UNIFIED_API_KEY).dead_man_deadline_ns is not None


async def test_a_new_token_on_every_connection() -> None:
    async with KrakenUnifiedSimServer(seed=7) as server, venue_on(server) as venue:
        session = venue.session
        assert session is not None
        server.expire_tokens()
        await server.private.close_all()
        await eventually(lambda: session.counters.reconnects >= 1 and session.ready, 15)
        assert server.tokens.issued == 2
        result = await venue.place_order(market(Side.BUY, "0.0010", "cid-after-reconnect"))
        assert result.status is OrderStatus.FILLED, result.reason


async def test_an_order_refused_for_a_stale_token_goes_out_once_more_with_a_new_one() -> None:
    """Tokens gone stale on an open socket (``EAPI:Invalid token``, the socket stays up): the
    session reconnects with a fresh token and sends the refused order again, once: the venue did
    not act on it, so it is not a second order."""
    async with KrakenUnifiedSimServer(seed=7) as server, venue_on(server) as venue:
        session = venue.session
        assert session is not None
        server.expire_tokens()
        result = await venue.place_order(market(Side.BUY, "0.0010", "cid-stale-token"))
        assert result.status is OrderStatus.FILLED, result.reason
        assert (session.counters.token_errors, session.counters.reconnects) == (1, 1)
        assert server.tokens.issued == 2
        adds = [r for _, r in server.private_requests if r.get("method") == "add_order"]
        assert [a["params"]["cl_ord_id"] for a in adds] == ["cid-stale-token"] * 2
        assert adds[0]["params"]["token"] != adds[1]["params"]["token"]
        assert len(server.exchange.account(SIM_UNIFIED_API_KEY).orders) == 1


async def test_a_token_first_used_after_its_lifetime_is_replaced() -> None:
    async with KrakenUnifiedSimServer(seed=7) as server:
        server.unified_faults.issue_expired_tokens(1)
        async with venue_on(server) as venue:
            session = venue.session
            assert session is not None
            assert (session.counters.token_errors, session.counters.connects) == (1, 2)
            assert server.tokens.issued == 2
            result = await venue.place_order(market(Side.BUY, "0.0010", "cid-fresh-token"))
            assert result.status is OrderStatus.FILLED, result.reason
