"""The simulated Unified public venue, spoken to by a bare WebSocket client (not the adapter)."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from brokers.sim.kraken_unified import KrakenUnifiedSimServer

XBT = "PF_XBTUSD"


@pytest.fixture
async def server() -> AsyncIterator[KrakenUnifiedSimServer]:
    sim = KrakenUnifiedSimServer(products=[XBT, "PF_ETHUSD"], seed=3, ticking=False)
    await sim.start(port=0)
    try:
        yield sim
    finally:
        await sim.stop()


async def _recv(ws: ClientConnection) -> dict[str, Any]:
    raw = await ws.recv(decode=True)
    return json.loads(raw, parse_float=Decimal)  # the exact wire text, as the checksum guide asks


async def _send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


def _crc_of_wire(item: dict[str, Any], pp: int, qp: int) -> int:
    def digits(v: Decimal, places: int) -> str:
        return format(v, f".{places}f").replace(".", "").lstrip("0") or "0"

    asks = sorted(item["asks"], key=lambda lv: lv["price"])[:10]
    bids = sorted(item["bids"], key=lambda lv: lv["price"], reverse=True)[:10]
    text = "".join(digits(lv["price"], pp) + digits(lv["qty"], qp) for lv in asks + bids)
    return zlib.crc32(text.encode())


async def test_status_on_connect_then_ping_pong_and_errors(server: KrakenUnifiedSimServer) -> None:
    async with connect(server.ws_url) as ws:
        status = await _recv(ws)
        assert status["channel"] == "status" and status["type"] == "update"
        assert status["data"][0]["system"] == "online"
        assert status["data"][0]["connection_id"] > 2**63  # larger than a signed 64-bit int
        server.feed.heartbeat(0.0)  # nobody subscribed: no heartbeat yet
        await _send(ws, {"method": "ping", "req_id": 101})
        pong = await _recv(ws)
        assert pong["method"] == "pong" and pong["req_id"] == 101 and "time_in" in pong
        book = {"channel": "book", "asset_class": "derivatives", "symbol": ["PF_NOPE"]}
        await _send(ws, {"method": "subscribe", "params": book, "req_id": 2})
        refused = await _recv(ws)
        assert refused == refused | {"success": False, "req_id": 2}
        assert refused["error"] == "Currency pair not supported PF_NOPE"
        await _send(ws, {"method": "subscribe", "params": {"channel": "nope"}, "req_id": 3})
        assert (await _recv(ws))["error"] == "Subscription name invalid"
        await ws.send("not json")
        assert (await _recv(ws))["error"] == "EGeneral:Invalid arguments"
        book_10 = {**book, "symbol": [XBT], "depth": 7}
        await _send(ws, {"method": "subscribe", "params": book_10, "req_id": 4})
        assert (await _recv(ws))["error"] == "EGeneral:Invalid arguments"


async def test_instrument_then_book_snapshot_and_updates_carry_the_checksum(
    server: KrakenUnifiedSimServer,
) -> None:
    async with connect(server.ws_url) as ws:
        await _recv(ws)
        params = {"channel": "instrument", "asset_class": "derivatives", "snapshot": True}
        await _send(ws, {"method": "subscribe", "params": params, "req_id": 1})
        assert (await _recv(ws))["result"]["channel"] == "instrument"
        instrument = await _recv(ws)
        pairs = {p["symbol"]: p for p in instrument["data"]["pairs"]}
        pp, qp = pairs[XBT]["price_precision"], pairs[XBT]["qty_precision"]
        assert (pp, qp) == (1, 4)
        assert pairs[XBT]["price_increment"] == Decimal("0.5")  # a tick that is not 10^-pp
        params = {"channel": "book", "asset_class": "derivatives", "symbol": [XBT], "depth": 10}
        await _send(ws, {"method": "subscribe", "params": params, "req_id": 2})
        ack = await _recv(ws)
        assert ack["result"] == {"channel": "book", "symbol": XBT, "depth": 10, "snapshot": True}
        snapshot = await _recv(ws)
        assert snapshot["type"] == "snapshot"
        item = snapshot["data"][0]
        assert len(item["bids"]) == len(item["asks"]) == 10
        assert item["checksum"] == _crc_of_wire(item, pp, qp)
        bids = {lv["price"]: lv["qty"] for lv in item["bids"]}
        asks = {lv["price"]: lv["qty"] for lv in item["asks"]}
        now = 1_800_000_000_000_000_000
        for _ in range(30):
            now += 20_000_000
            server.tick(now)
        updates = server.feed.messages_sent[XBT] - 1
        assert updates > 0
        for _ in range(updates):
            update = await _recv(ws)
            assert update["type"] == "update"
            item = update["data"][0]
            for side, levels in ((bids, item["bids"]), (asks, item["asks"])):
                for lv in levels:
                    if lv["qty"] == 0:
                        side.pop(lv["price"], None)
                    else:
                        side[lv["price"]] = lv["qty"]
            for side, best_first in ((bids, True), (asks, False)):
                for price in sorted(side, reverse=not best_first)[: max(0, len(side) - 10)]:
                    del side[price]  # truncate to the depth, as the docs ask
            rebuilt = {
                "bids": [{"price": p, "qty": q} for p, q in bids.items()],
                "asks": [{"price": p, "qty": q} for p, q in asks.items()],
            }
            assert item["checksum"] == _crc_of_wire(rebuilt, pp, qp)
        view = server.book_at(XBT, 10)
        assert sorted(bids.items(), reverse=True) == list(view.bids)
        assert sorted(asks.items()) == list(view.asks)
        server.feed.heartbeat(0.0)
        assert await _recv(ws) == {"channel": "heartbeat"}


async def test_a_status_change_is_pushed_to_every_connection(
    server: KrakenUnifiedSimServer,
) -> None:
    async with connect(server.ws_url) as one, connect(server.ws_url) as two:
        await _recv(one)
        await _recv(two)
        server.set_system("maintenance")
        for ws in (one, two):
            assert (await _recv(ws))["data"][0]["system"] == "maintenance"
        with pytest.raises(ValueError, match="system must be one of"):
            server.set_system("asleep")
