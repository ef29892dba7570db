"""Part 3: tick→decision while the Textual console draws, and how often it actually drew.

The same live run as part 2 (the sim in its own process, the real adapter, a real
``TradingSession``), with the real console app hosting the session on the same event loop in
Textual's headless test mode (``App.run_test``, 80×24): it starts the session and redraws from
``engine.state()`` on its own timer exactly as on a terminal, counting the frames in which
something changed (``L2ConsoleApp.redraws``). A 1 ms timer measures how long anything held the
event loop (``loop lag``): a frame that arrives while the console draws waits that long before
the feed reads it and its ``recv_ns`` is stamped.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import time

from console.bench.live import LiveRun, measure_window, sim_session, wait_live
from console.bench.memory import RssSampler
from console.bench.report import UiResult
from console.settings import Settings
from core.latency import LatencyHistogram

SIZE = (80, 24)
PROBE_S = 0.001


def console_available() -> bool:
    """Whether this build has the Textual console (``console.app``)."""
    return importlib.util.find_spec("console.app") is not None


async def measure_ui(settings: Settings, run: LiveRun, rss: RssSampler | None = None) -> UiResult:
    from console.app.app import L2ConsoleApp  # noqa: PLC0415 - Textual only for this part

    lag = LatencyHistogram()
    async with sim_session(settings, run, ui=True) as session:
        app = L2ConsoleApp(session)
        async with app.run_test(size=SIZE):  # mounting the app starts the session
            await wait_live(session.engine)
            await asyncio.sleep(run.warmup_s)
            probe = asyncio.create_task(_probe_loop_lag(lag), name="bench loop-lag probe")
            redraws_before = app.redraws
            try:
                live = await measure_window(session.engine, run, rss)
            finally:
                probe.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await probe
            redraws = app.redraws - redraws_before
    per_s = redraws / live.seconds if live.seconds else 0.0
    return UiResult(live, per_s, lag.summary())


async def _probe_loop_lag(histogram: LatencyHistogram) -> None:
    """How late a 1 ms timer fires: the longest anything (drawing included) held the loop."""
    period_ns = int(PROBE_S * 1e9)
    while True:
        start = time.monotonic_ns()
        await asyncio.sleep(PROBE_S)
        histogram.record(time.monotonic_ns() - start - period_ns)
