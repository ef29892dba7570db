"""Starting, stopping and running the simulated venue standalone."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from websockets.exceptions import ConnectionClosed

from brokers.sim import KrakenFuturesSimServer, serve_forever

from .conftest import ws_client


def sim_tasks() -> list[asyncio.Task]:  # type: ignore[type-arg]
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("kraken-sim")]


async def test_urls_point_at_an_ephemeral_port_on_localhost() -> None:
    async with KrakenFuturesSimServer() as server:
        assert server.port > 0
        assert server.ws_url == f"ws://127.0.0.1:{server.port}/ws/v1"
        assert server.rest_url == f"http://127.0.0.1:{server.port}/derivatives/api/v3"


async def test_stop_closes_connections_and_tasks_and_frees_the_port() -> None:
    server = KrakenFuturesSimServer(seed=1)
    await server.start()
    async with ws_client(server.ws_url) as client:
        await client.subscribe_book("PF_XBTUSD")
        assert sim_tasks()
        await server.stop()
        with pytest.raises(ConnectionClosed):
            await client.until(lambda m: False, within=3)
    await asyncio.sleep(0)
    assert sim_tasks() == []
    with pytest.raises((OSError, aiohttp.ClientError)):
        async with aiohttp.ClientSession() as http, http.get(server.rest_url + "/instruments"):
            pass
    await server.stop()  # twice is harmless


async def test_products_other_than_kraken_futures_ones_are_refused() -> None:
    with pytest.raises(ValueError, match="Kraken Futures lists no spot products"):
        KrakenFuturesSimServer(products=["BTCUSDT"])
    with pytest.raises(ValueError, match="unknown simulated product"):
        KrakenFuturesSimServer(products=["PF_NOPE"])


async def test_serve_forever_reports_its_urls_and_stops_cleanly_when_cancelled() -> None:
    ready: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    task = asyncio.create_task(
        serve_forever(
            "127.0.0.1",
            0,
            seed=3,
            rate_hz=100,
            edge=0.2,
            products=["pf_ethusd"],
            on_ready=lambda ws, rest: ready.put_nowait((ws, rest)),
        )
    )
    ws_url, rest_url = await asyncio.wait_for(ready.get(), 5)
    assert rest_url.endswith("/derivatives/api/v3") and ws_url.endswith("/ws/v1")
    async with ws_client(ws_url) as client:
        ack, [snapshot] = await client.subscribe_book("PF_ETHUSD")
        assert snapshot["product_id"] == "PF_ETHUSD"
        ack, _ = await client.subscribe_book("PF_XBTUSD")
        assert ack == {"event": "error", "message": "Invalid product id"}, "only what was asked"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
    assert sim_tasks() == []
