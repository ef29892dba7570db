"""The simulated Kraken Futures WebSocket v1 feed, over real sockets with a raw client."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from brokers.sim import KrakenFuturesSimServer
from tests.brokers.sim.conftest import (
    apply_delta,
    as_floats,
    from_snapshot,
    manual_venue,
    ws_client,
)


async def test_info_is_sent_on_connect(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url, expect_info=False) as client:
        assert await client.recv() == {"event": "info", "version": 1}


async def test_subscribe_acks_then_sends_a_documented_snapshot(
    server: KrakenFuturesSimServer,
) -> None:
    async with ws_client(server.ws_url) as client:
        ack, [snapshot] = await client.subscribe_book("PF_XBTUSD")
        assert ack == {"event": "subscribed", "feed": "book", "product_ids": ["PF_XBTUSD"]}
        assert set(snapshot) == {
            "feed",
            "product_id",
            "timestamp",
            "seq",
            "tickSize",
            "bids",
            "asks",
        }
        assert snapshot["feed"] == "book_snapshot" and snapshot["product_id"] == "PF_XBTUSD"
        assert snapshot["tickSize"] is None
        assert isinstance(snapshot["seq"], int) and isinstance(snapshot["timestamp"], int)
        assert snapshot["timestamp"] > 1_600_000_000_000  # epoch milliseconds
        assert len(snapshot["bids"]) >= 50 and len(snapshot["asks"]) >= 50
        level = snapshot["bids"][0]
        assert set(level) == {"price", "qty"}
        assert isinstance(level["price"], int | float) and isinstance(level["qty"], int | float)
        assert snapshot["bids"][0]["price"] < snapshot["asks"][0]["price"]


async def test_deltas_are_one_level_each_with_seq_plus_one_and_time_never_goes_back(
    fast_server: KrakenFuturesSimServer,
) -> None:
    async with ws_client(fast_server.ws_url) as client:
        _, [snapshot] = await client.subscribe_book("PF_ETHUSD")
        seq, timestamp = snapshot["seq"], snapshot["timestamp"]
        for _ in range(100):
            delta = await client.until(lambda m: m.get("feed") == "book")
            assert set(delta) == {"feed", "product_id", "side", "seq", "price", "qty", "timestamp"}
            assert delta["product_id"] == "PF_ETHUSD" and delta["side"] in ("buy", "sell")
            assert delta["seq"] == seq + 1
            assert delta["qty"] >= 0 and delta["timestamp"] >= timestamp
            seq, timestamp = delta["seq"], delta["timestamp"]


async def test_snapshot_plus_deltas_rebuild_exactly_the_servers_book() -> None:
    async with (
        manual_venue(seed=3, rate_hz=500) as venue,
        ws_client(venue.server.ws_url) as client,
    ):
        server = venue.server
        _, [snapshot] = await client.subscribe_book("PF_XBTUSD")
        book = from_snapshot(snapshot)
        for _ in range(40):
            venue.tick(20)
        target = server.seq("PF_XBTUSD")
        assert target > snapshot["seq"] + 100
        seq = snapshot["seq"]
        while seq < target:
            delta = await client.until(lambda m: m.get("feed") == "book")
            assert delta["seq"] == seq + 1
            apply_delta(book, delta)
            seq = delta["seq"]
        truth = server.book("PF_XBTUSD")
        assert book["bids"] == as_floats(truth.bids)
        assert book["asks"] == as_floats(truth.asks)


async def test_product_ids_are_matched_case_insensitively_and_answered_upper_case(
    server: KrakenFuturesSimServer,
) -> None:
    async with ws_client(server.ws_url) as client:
        ack, snapshots = await client.subscribe_book("pf_xbtusd", "Pi_XbtUsd")
        assert ack["product_ids"] == ["PF_XBTUSD", "PI_XBTUSD"]
        assert {s["product_id"] for s in snapshots} == {"PF_XBTUSD", "PI_XBTUSD"}


async def test_an_unknown_product_gets_the_documented_error(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as client:
        ack, snapshots = await client.subscribe_book("PF_XBTUSD", "PF_NOPEUSD")
        assert ack == {"event": "error", "message": "Invalid product id"}
        assert snapshots == []
        await client.send(
            {"event": "subscribe", "feed": "trade_lite", "product_ids": ["PF_XBTUSD"]}
        )
        assert await client.recv() == {"event": "error", "message": "Invalid feed"}
        await client.ws.send("{not json")
        assert await client.recv() == {"event": "error", "message": "Json Error"}
        await client.send({"event": "subscribe", "feed": "book"})
        assert await client.recv() == {"event": "error", "message": "Json Error"}


async def test_unsubscribe_stops_that_product_only(fast_server: KrakenFuturesSimServer) -> None:
    async with ws_client(fast_server.ws_url) as client:
        await client.subscribe_book("PF_XBTUSD", "PF_ETHUSD")
        await client.send({"event": "unsubscribe", "feed": "book", "product_ids": ["pf_xbtusd"]})
        ack = await client.until(lambda m: m.get("event") == "unsubscribed")
        assert ack == {"event": "unsubscribed", "feed": "book", "product_ids": ["PF_XBTUSD"]}
        seen: set[str] = set()
        for _ in range(40):
            message = await client.until(lambda m: m.get("feed") == "book")
            seen.add(message["product_id"])
        assert seen == {"PF_ETHUSD"}


async def test_subscribing_again_resends_a_fresh_snapshot(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as client:
        _, [first] = await client.subscribe_book("PF_XBTUSD")
        await client.until(lambda m: m.get("feed") == "book")
        _, [second] = await client.subscribe_book("PF_XBTUSD")
        assert second["seq"] > first["seq"]
        after = await client.until(lambda m: m.get("feed") == "book")
        assert after["seq"] == second["seq"] + 1


async def test_heartbeat_subscribers_get_heartbeats(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as client:
        await client.send({"event": "subscribe", "feed": "heartbeat"})
        assert await client.recv() == {"event": "subscribed", "feed": "heartbeat"}
        beats = [await client.until(lambda m: m.get("feed") == "heartbeat") for _ in range(2)]
        assert all(set(b) == {"feed", "time"} and isinstance(b["time"], int) for b in beats)
        assert beats[1]["time"] > beats[0]["time"]


async def test_no_heartbeats_without_subscribing(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as client:
        with pytest.raises(TimeoutError):
            await client.until(lambda m: m.get("feed") == "heartbeat", within=0.6)


async def test_pings_are_answered(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as client:
        pong = await client.ws.ping()
        latency = await asyncio.wait_for(pong, 2)
        assert latency >= 0


async def test_the_challenge_is_answered_with_a_uuid(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as client:
        await client.send({"event": "challenge", "api_key": "whatever"})
        answer = await client.recv()
        assert answer["event"] == "challenge" and len(answer["message"]) == 36


async def test_two_clients_see_the_same_sequence(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as first, ws_client(server.ws_url) as second:
        await first.subscribe_book("PF_XBTUSD")
        _, [snapshot] = await second.subscribe_book("PF_XBTUSD")
        wanted = snapshot["seq"] + 5
        one = await first.until(lambda m: m.get("seq") == wanted)
        two = await second.until(lambda m: m.get("seq") == wanted)
        assert orjson.dumps(one) == orjson.dumps(two)


async def test_the_server_remembers_what_clients_asked(server: KrakenFuturesSimServer) -> None:
    async with ws_client(server.ws_url) as client:
        await client.subscribe_book("pf_xbtusd")
        await client.send({"event": "unsubscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
        await client.until(lambda m: m.get("event") == "unsubscribed")
    asked = [request for _, request in server.ws_requests]
    assert asked == [
        {"event": "subscribe", "feed": "book", "product_ids": ["pf_xbtusd"]},
        {"event": "unsubscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]},
    ]
