"""The fault knobs added for the reliability tests, each observed from a raw client over real
sockets: duplicated, swapped and bogus crossing messages, crossed snapshots, lost subscriptions,
unknown fields and frames, late timestamps, half-open connections, hung REST calls, refusals."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import aiohttp
import pytest

from brokers.sim import SimFaults

from .conftest import ManualVenue, WsProbe, manual_venue, ws_client

XBT = "PF_XBTUSD"
MARKET_BUY = {"orderType": "mkt", "symbol": XBT, "side": "buy", "size": "0.01"}


async def book_messages(venue: ManualVenue, client: WsProbe, count: int) -> list[dict[str, Any]]:
    """The next ``count`` book messages, ticking the frozen market until they exist."""
    messages: list[dict[str, Any]] = []
    while len(messages) < count:
        venue.tick(20)
        try:
            while len(messages) < count:
                message = await client.recv(within=0.2)
                if message.get("feed") == "book":
                    messages.append(message)
        except TimeoutError:
            continue
    return messages


async def test_duplicate_next_sends_one_message_twice_back_to_back() -> None:
    async with manual_venue(seed=4, rate_hz=500) as venue, ws_client(venue.server.ws_url) as c:
        _, [snapshot] = await c.subscribe_book(XBT)
        venue.server.faults.duplicate_next(XBT)
        messages = await book_messages(venue, c, 30)
        seqs = [snapshot["seq"], *(m["seq"] for m in messages)]
        steps = [b - a for a, b in itertools.pairwise(seqs)]
        assert steps.count(0) == 1 and steps.count(1) == len(steps) - 1
        twice = steps.index(0)
        assert twice >= 1 and messages[twice] == messages[twice - 1]


async def test_swap_next_sends_two_messages_in_the_wrong_order() -> None:
    async with manual_venue(seed=4, rate_hz=500) as venue, ws_client(venue.server.ws_url) as c:
        _, [snapshot] = await c.subscribe_book(XBT)
        venue.server.faults.swap_next(XBT)
        seqs = [snapshot["seq"], *(m["seq"] for m in await book_messages(venue, c, 30))]
        steps = [b - a for a, b in itertools.pairwise(seqs)]
        assert sorted(steps) == [-1, *[1] * (len(steps) - 3), 2, 2]
        assert sorted(seqs) == list(range(seqs[0], seqs[0] + len(seqs)))


async def test_cross_next_slips_in_a_bid_at_the_best_ask_with_the_next_seq() -> None:
    async with manual_venue(seed=4, rate_hz=500) as venue, ws_client(venue.server.ws_url) as c:
        server = venue.server
        _, [snapshot] = await c.subscribe_book(XBT)
        server.faults.cross_next(XBT)
        messages = await book_messages(venue, c, 20)
        seqs = [snapshot["seq"], *(m["seq"] for m in messages)]
        assert all(b - a == 1 for a, b in itertools.pairwise(seqs)), "only the price betrays it"
        bogus = messages[0]
        assert bogus["side"] == "buy" and bogus["qty"] == 1
        assert bogus["price"] >= snapshot["asks"][0]["price"] - 1, "priced at the ask, not a bid"
        assert server.seq(XBT) >= messages[-1]["seq"]
        again, [fresh] = await c.subscribe_book(XBT)
        assert again["event"] == "subscribed"
        assert fresh["bids"][0]["price"] < fresh["asks"][0]["price"], "the real book is fine"


async def test_cross_next_snapshot_crosses_exactly_the_next_snapshot() -> None:
    async with manual_venue(seed=4) as venue, ws_client(venue.server.ws_url) as c:
        venue.server.faults.cross_next_snapshot("pf_xbtusd")
        _, [crossed] = await c.subscribe_book(XBT)
        assert crossed["bids"][0]["price"] >= crossed["asks"][0]["price"]
        _, [clean] = await c.subscribe_book(XBT)
        assert clean["bids"][0]["price"] < clean["asks"][0]["price"]


async def test_ignore_next_subscribe_swallows_the_request_once() -> None:
    async with manual_venue(seed=4) as venue, ws_client(venue.server.ws_url) as c:
        venue.server.faults.ignore_next_subscribe(XBT)
        await c.send({"event": "subscribe", "feed": "book", "product_ids": [XBT]})
        with pytest.raises(TimeoutError):
            await c.recv(within=0.3)
        ack, [snapshot] = await c.subscribe_book(XBT)
        assert ack["event"] == "subscribed" and snapshot["product_id"] == XBT


async def test_unknown_fields_and_unknown_frames_arrive_as_valid_json() -> None:
    async with manual_venue(seed=4, rate_hz=500) as venue, ws_client(venue.server.ws_url) as c:
        faults = venue.server.faults
        _, [snapshot] = await c.subscribe_book(XBT)
        faults.add_unknown_fields(2)
        faults.send_unknown_frames(2)
        venue.tick(20)
        seen: list[dict[str, Any]] = []
        while len([m for m in seen if m.get("feed") == "book"]) < 4 or len(seen) < 6:
            try:
                seen.append(await c.recv(within=0.2))
            except TimeoutError:
                venue.tick(20)
        assert {"feed": "ticker_lite", "product_id": XBT, "bid": 1.0, "ask": 2.0} in seen
        assert any(m.get("event") == "notice" for m in seen)
        books = [m for m in seen if m.get("feed") == "book"]
        assert [("x_new_field" in m) for m in books[:4]] == [True, True, False, False]
        assert books[0]["seq"] == snapshot["seq"] + 1


async def test_lag_timestamps_stamps_messages_in_the_past() -> None:
    async with manual_venue(seed=4, rate_hz=500) as venue, ws_client(venue.server.ws_url) as c:
        venue.server.faults.lag_timestamps(5_000)
        _, [snapshot] = await c.subscribe_book(XBT)
        assert snapshot["timestamp"] == venue.clock.now_ns // 1_000_000 - 5_000
        [message] = await book_messages(venue, c, 1)
        assert message["timestamp"] == venue.clock.now_ns // 1_000_000 - 5_000
        venue.server.faults.lag_timestamps(0)
        await drain(c)
        later = await book_messages(venue, c, 1)
        assert later[0]["timestamp"] == venue.clock.now_ns // 1_000_000


async def drain(client: WsProbe) -> None:
    """Read whatever is already on its way (bounded: the market is frozen meanwhile)."""
    with pytest.raises(TimeoutError):
        while True:
            await client.recv(within=0.2)


async def test_half_open_connections_go_silent_both_ways_and_new_ones_work() -> None:
    async with manual_venue(seed=4, rate_hz=500) as venue, ws_client(venue.server.ws_url) as c:
        await c.subscribe_book(XBT)
        venue.server.faults.half_open_all()
        venue.tick(20)
        venue.tick(20)
        with pytest.raises(TimeoutError):
            await c.recv(within=0.3)
        pong = await c.ws.ping()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pong), 0.3)
        assert not c.ws.close_code, "the socket is still open: nobody closed it"
        async with ws_client(venue.server.ws_url) as fresh:
            ack, _ = await fresh.subscribe_book(XBT)
            assert ack["event"] == "subscribed"


@pytest.mark.parametrize("after_execute", [False, True], ids=["never-reached", "executed"])
async def test_hang_rest_holds_the_answer_past_the_clients_timeout(after_execute: bool) -> None:
    async with manual_venue(seed=4) as venue:
        venue.server.faults.hang_rest("sendorder", 1.0, after_execute=after_execute)
        rest = venue.rest
        params = {**MARKET_BUY, "cliOrdId": "hung-1"}
        body = "&".join(f"{k}={v}" for k, v in params.items())
        headers = {
            **rest.headers("sendorder", body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        with pytest.raises(TimeoutError):
            async with rest.http.post(
                f"{rest.base_url}/sendorder",
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=0.3),
            ) as response:
                await response.read()
        await asyncio.sleep(1.0)  # let the held handler finish either way
        _, known = await rest.post("orders/status", {"cliOrdIds": "hung-1"})
        assert len(known["orders"]) == (1 if after_execute else 0)
        answer = await rest.send_order(**MARKET_BUY)
        assert answer["sendStatus"]["status"] == "placed", "only the next call hangs"


async def test_reject_orders_refuses_exactly_the_next_orders_with_that_status() -> None:
    async with manual_venue(seed=4) as venue:
        venue.server.faults.reject_orders(2, status="insufficientAvailableFunds")
        rest = venue.rest
        statuses = [(await rest.send_order(**MARKET_BUY))["sendStatus"] for _ in range(3)]
        assert [s["status"] for s in statuses] == [
            "insufficientAvailableFunds",
            "insufficientAvailableFunds",
            "placed",
        ]
        assert "order_id" not in statuses[0]
        _, positions = await rest.get("openpositions")
        assert [p["size"] for p in positions["openPositions"]] == [0.01]


def test_new_knobs_are_consumed_exactly_and_cleared() -> None:
    faults = SimFaults()
    faults.duplicate_next("pf_xbtusd", 2)
    assert [faults.take_duplicate(XBT) for _ in range(3)] == [True, True, False]
    faults.swap_next(XBT)
    faults.cross_next(XBT)
    faults.cross_next_snapshot(XBT)
    faults.ignore_next_subscribe(XBT)
    assert faults.take_swap(XBT) and not faults.take_swap(XBT)
    assert faults.take_cross(XBT) and not faults.take_cross("PF_ETHUSD")
    assert faults.take_cross_snapshot(XBT) and faults.take_ignore_subscribe(XBT)
    faults.reject_orders(1, status="marketSuspended")
    assert (faults.take_reject(), faults.take_reject()) == ("marketSuspended", None)
    faults.half_open_all()
    assert (faults.take_half_open(), faults.take_half_open()) == (True, False)
    faults.add_unknown_fields()
    faults.send_unknown_frames(3)
    faults.lag_timestamps(100)
    faults.hang_rest("sendorder", 1.0)
    faults.clear()
    assert not faults.take_unknown_fields() and faults.take_unknown_frames() == 0
    assert faults.timestamp_lag_ms == 0 and faults.take_rest("sendorder") is None
    for bad in (
        lambda: faults.duplicate_next(XBT, 0),
        lambda: faults.hang_rest("sendorder", 0),
        lambda: faults.lag_timestamps(-1),
        lambda: faults.reject_orders(0),
    ):
        with pytest.raises(ValueError):
            bad()
