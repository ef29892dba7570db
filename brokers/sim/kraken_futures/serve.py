"""Run the simulated Kraken Futures venue standalone until cancelled (``l2console sim``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from brokers.sim.kraken_futures.server import KrakenFuturesSimServer
from brokers.sim.market.books import DEFAULT_EDGE, DEFAULT_RATE_HZ, DEFAULT_VOLATILITY_BPS
from brokers.sim.market.products import SimProductSpec
from brokers.sim.serving import serve_until_cancelled


async def serve_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed: int = 0,
    rate_hz: float = DEFAULT_RATE_HZ,
    edge: float = DEFAULT_EDGE,
    volatility_bps: float = DEFAULT_VOLATILITY_BPS,
    products: Iterable[SimProductSpec | str] | None = None,
    on_ready: Callable[[str, str], None] | None = None,
) -> None:
    """Serve until cancelled; ``on_ready(ws_url, rest_url)`` once listening. Prints nothing.

    Bad settings (an unknown product, an edge outside [0, 1]) raise ValueError before anything
    listens; a taken port raises OSError. Cancelling the task stops the server cleanly.
    """
    server = KrakenFuturesSimServer(
        products=products, seed=seed, rate_hz=rate_hz, edge=edge, volatility_bps=volatility_bps
    )
    await serve_until_cancelled(server, host, port, on_ready=on_ready)
