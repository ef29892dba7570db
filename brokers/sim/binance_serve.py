"""Run the simulated Binance.us venue standalone until cancelled
(``l2console sim --protocol binance_us``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from brokers.sim.binance_us_server import BinanceUsSimServer
from brokers.sim.market import DEFAULT_EDGE, DEFAULT_RATE_HZ


async def serve_binance_us_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed: int = 0,
    rate_hz: float = DEFAULT_RATE_HZ,
    edge: float = DEFAULT_EDGE,
    on_ready: Callable[[str, str], None] | None = None,
) -> None:
    """Serve until cancelled; ``on_ready(ws_url, rest_url)`` once listening. Prints nothing."""
    server = BinanceUsSimServer(seed=seed, rate_hz=rate_hz, edge=edge)
    await server.start(host, port)
    try:
        if on_ready is not None:
            on_ready(server.ws_url, server.rest_url)
        await asyncio.Event().wait()
    finally:
        await server.stop()
