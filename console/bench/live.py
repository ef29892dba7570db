"""Part 2 (and the memory run): tick→decision with the simulated venue feeding real sockets.

The sim runs in its own process at the asked rate (``l2console sim``, speaking the benchmarked
venue's protocol); this process runs what ``l2console run --broker kraken --dry-run`` runs when
pointed at it with the venue's URL overrides (``KRAKEN_WS_PUBLIC_URL``…): ``open_venue`` (the
venue's real adapter, REST for the instrument, the WebSocket feed) and a ``TradingSession`` (the real engine,
its feed task and watchdog). Latency is read from ``engine.latency`` over a measured window that
starts after the book is live and a warm-up has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from console.bench.frames import live_bench_venue
from console.bench.memory import RssSampler
from console.bench.sim_process import SimVenueProcess
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import StartupError, open_venue
from core.engine import Engine
from core.enums import BookState, Mode
from core.latency import LatencySummary

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


@dataclass(frozen=True, slots=True)
class LiveRun:
    """How a live part runs: the sim's rate and seed, the measured window and its warm-up."""

    rate_hz: float
    seconds: float
    warmup_s: float
    seed: int
    env_file: Path  # the user's settings file, for the ``l2console sim`` process


@contextlib.asynccontextmanager
async def sim_session(
    settings: Settings, run: LiveRun, *, ui: bool = False
) -> AsyncIterator[TradingSession]:
    """A dry-run session on the benchmarked venue's adapter, connected to a sim process; not yet
    started (the caller, or the console, starts it). Everything is stopped on the way out."""
    venue = live_bench_venue()
    sim_process = SimVenueProcess.serving(
        venue, rate_hz=run.rate_hz, seed=run.seed, env_file=run.env_file
    )
    async with sim_process as sim:
        pointed = settings.model_copy(
            update={
                venue.ws_url_setting.lower(): sim.endpoints.ws_url,
                venue.rest_url_setting.lower(): sim.endpoints.rest_url,
            }
        )
        options = RunOptions(
            broker=venue.name,
            symbol=venue.default_symbol,
            mode=Mode.DRY_RUN,
            duration_s=None,
            ui=ui,
        )
        async with contextlib.AsyncExitStack() as stack:
            try:
                connection = await open_venue(options, pointed, stack)
            except StartupError as exc:
                raise LiveRunError(str(exc)) from None
            session = TradingSession(options, pointed, connection)
            try:
                yield session
            finally:
                await session.stop(flatten=False)


async def wait_live(engine: Engine) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIVE_TIMEOUT_S
    while engine.book.state is not BookState.LIVE:
        if loop.time() > deadline:
            raise LiveRunError(f"the book did not go live within {LIVE_TIMEOUT_S:g} s")
        await asyncio.sleep(0.05)


async def measure_headless(
    settings: Settings, run: LiveRun, rss: RssSampler | None = None
) -> LiveResult:
    async with sim_session(settings, run) as session:
        await session.start()
        await wait_live(session.engine)
        await asyncio.sleep(run.warmup_s)
        return await measure_window(session.engine, run, rss)


async def measure_window(engine: Engine, run: LiveRun, rss: RssSampler | None) -> LiveResult:
    """Forget the warm-up's latencies, let ``seconds`` pass (sampling RSS), read the histogram."""
    loop = asyncio.get_running_loop()
    engine.latency.reset()
    frames_before = engine.state().counters.frames
    start = loop.time()
    end = start + run.seconds
    if rss is not None:
        rss.sample()
    while (now := loop.time()) < end:
        await asyncio.sleep(min(RSS_EVERY_S, end - now))
        if rss is not None:
            rss.sample()
    return LiveResult(
        rate_hz=run.rate_hz,
        seconds=loop.time() - start,
        frames=engine.state().counters.frames - frames_before,
        latency=engine.latency.summary(),
    )
