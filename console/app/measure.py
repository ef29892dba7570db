"""How late the console makes the engine: run the real session on the simulated venue with the
console drawing (headless Textual, 80×24), and report tick→decision latency, how often the UI
actually redrew, and the event loop's lag (how long anything, drawing included, held the loop).

``python -m console.app.measure [RATE_HZ] [SECONDS]`` — also a building block for a benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from dataclasses import dataclass

from brokers import registry
from console.app.app import L2ConsoleApp
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import open_venue
from core.enums import Mode
from core.latency import LatencyHistogram, LatencySummary

PROBE_S = 0.001


@dataclass(frozen=True, slots=True)
class UiLatency:
    rate_hz: float
    seconds: float
    frames: int
    tick_to_decision: LatencySummary
    redraws_per_s: float
    loop_lag: LatencySummary  # oversleep of a 1 ms timer: the longest the loop was held


async def _probe_loop_lag(histogram: LatencyHistogram, warmup_s: float = 2.0) -> None:
    await asyncio.sleep(warmup_s)  # start-up (CSS, first layout, snapshot) is not steady state
    while True:
        start = time.monotonic_ns()
        await asyncio.sleep(PROBE_S)
        histogram.record(time.monotonic_ns() - start - int(PROBE_S * 1e9))


async def measure_ui_latency(
    rate_hz: float = 2000.0, seconds: float = 20.0, *, size: tuple[int, int] = (80, 24)
) -> UiLatency:
    settings = Settings(_env_file=None, sim_rate_hz=rate_hz)  # type: ignore[call-arg]
    venue = registry.venue(registry.DEFAULT_VENUE)
    options = RunOptions(
        broker=venue.name, symbol=venue.default_symbol, mode=Mode.PAPER, duration_s=seconds, ui=True
    )
    lag = LatencyHistogram()
    async with contextlib.AsyncExitStack() as stack:
        connection = await open_venue(options, settings, stack)
        session = TradingSession(options, settings, connection)
        app = L2ConsoleApp(session, duration_s=seconds)
        probe = asyncio.create_task(_probe_loop_lag(lag), name="loop lag probe")
        try:
            outcome = await app.run_async(headless=True, size=size)
        finally:
            probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe
            if not app.host_stopped:
                await session.stop(flatten=False)  # how: the run completed its measurement
        state = session.engine.state()
    return UiLatency(
        rate_hz=rate_hz,
        seconds=seconds,
        frames=state.counters.frames,
        tick_to_decision=state.latency,
        redraws_per_s=outcome.redraws_per_s if outcome else 0.0,
        loop_lag=lag.summary(),
    )


def main(argv: list[str]) -> None:
    rate = float(argv[0]) if argv else 2000.0
    seconds = float(argv[1]) if len(argv) > 1 else 20.0
    result = asyncio.run(measure_ui_latency(rate, seconds))
    t, lag = result.tick_to_decision, result.loop_lag
    print(f"feed {result.rate_hz:g} frames/s for {seconds:g}s: {result.frames} book updates")
    print(
        f"tick→decision with the console drawing: p50 {t.p50_ns / 1e3:.1f}µs "
        f"p99 {t.p99_ns / 1e3:.1f}µs p99.9 {t.p999_ns / 1e3:.1f}µs max {t.max_ns / 1e3:.1f}µs"
    )
    print(f"console redraws: {result.redraws_per_s:.1f}/s")
    print(
        f"event-loop lag (1 ms timer oversleep): p50 {lag.p50_ns / 1e3:.0f}µs "
        f"p99 {lag.p99_ns / 1e3:.0f}µs max {lag.max_ns / 1e3:.0f}µs"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
