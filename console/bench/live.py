"""Part 2 (and the memory run): tick→decision with the simulated venue feeding real sockets.

The sim runs in its own process at the asked rate; this process runs what ``l2console run
--no-ui`` runs: the real Kraken Futures adapter (REST for the instrument, the WebSocket feed) into
the real engine, dry-run. Latency is read from ``engine.latency`` over a measured window that
starts after the book is live and a warm-up has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from brokers.kraken_futures import KrakenFuturesFeed, KrakenFuturesRest
from console.bench.engine_setup import engine_config
from console.bench.memory import RssSampler
from console.bench.sim_process import SimVenueProcess
from console.settings import Settings
from core.clock import SystemClock
from core.engine import Engine
from core.enums import BookState
from core.latency import LatencySummary
from core.ports import VenueError

PRODUCT = "PF_XBTUSD"
LIVE_TIMEOUT_S = 15.0
RSS_EVERY_S = 0.5


class LiveRunError(Exception):
    """The live run could not be set up; one line."""


@dataclass(frozen=True, slots=True)
class LiveResult:
    rate_hz: float  # what the sim was asked to send
    seconds: float  # the measured window
    frames: int  # book updates the engine received in the window
    latency: LatencySummary


async def run_on_sim(
    settings: Settings,
    *,
    rate_hz: float,
    seed: int,
    env_file: Path,
    during: Callable[[Engine, KrakenFuturesFeed], Awaitable[None]],
) -> None:
    """Start the sim process, connect the real adapter into a dry-run engine, wait for a live
    book, run ``during(engine, feed)``, and tear everything down."""
    async with SimVenueProcess(rate_hz=rate_hz, seed=seed, env_file=env_file) as sim:
        rest = KrakenFuturesRest(rest_url=sim.endpoints.rest_url)
        try:
            instruments = await rest.instruments()
        except VenueError as exc:
            raise LiveRunError(f"the simulated venue refused its instrument list: {exc}") from None
        finally:
            await rest.close()
        feed = KrakenFuturesFeed(
            [PRODUCT],
            ws_url=sim.endpoints.ws_url,
            silence_timeout_s=settings.websocket_timeout_seconds,
        )
        engine = Engine(
            engine_config(settings, instruments[PRODUCT]), feed=feed, clock=SystemClock()
        )
        task = asyncio.create_task(feed.run(engine), name="bench feed")
        try:
            await _wait_live(engine)
            await during(engine, feed)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await engine.close()


async def _wait_live(engine: Engine) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIVE_TIMEOUT_S
    while engine.book.state is not BookState.LIVE:
        if loop.time() > deadline:
            raise LiveRunError(f"the book did not go live within {LIVE_TIMEOUT_S:g} s")
        await asyncio.sleep(0.05)


async def measure_headless(
    settings: Settings,
    *,
    rate_hz: float,
    seconds: float,
    warmup_s: float,
    seed: int,
    env_file: Path,
    rss: RssSampler | None = None,
) -> LiveResult:
    results: list[LiveResult] = []

    async def window(engine: Engine, _: KrakenFuturesFeed) -> None:
        await asyncio.sleep(warmup_s)
        results.append(await measure_window(engine, rate_hz, seconds, rss))

    await run_on_sim(settings, rate_hz=rate_hz, seed=seed, env_file=env_file, during=window)
    return results[0]


async def measure_window(
    engine: Engine, rate_hz: float, seconds: float, rss: RssSampler | None
) -> LiveResult:
    """Forget the warm-up's latencies, let ``seconds`` pass (sampling RSS), read the histogram."""
    loop = asyncio.get_running_loop()
    engine.latency.reset()
    frames_before = engine.state().counters.frames
    start = loop.time()
    end = start + seconds
    if rss is not None:
        rss.sample()
    while (now := loop.time()) < end:
        await asyncio.sleep(min(RSS_EVERY_S, end - now))
        if rss is not None:
            rss.sample()
    return LiveResult(
        rate_hz=rate_hz,
        seconds=loop.time() - start,
        frames=engine.state().counters.frames - frames_before,
        latency=engine.latency.summary(),
    )
