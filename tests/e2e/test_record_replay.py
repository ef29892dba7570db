"""Record a live paper run on the simulated venue, replay it, and get the same decisions.

The live run is the real thing — sim server, Kraken Futures feed over a real socket, engine in
paper mode — with one change: its clock moves only when a frame arrives, to the time the
recorder stamps on that frame (the live engine otherwise reads the wall clock a few
microseconds after the frame was stamped, and a cooldown ending inside those microseconds would
make the comparison flaky). The replay sets its clock to those same recorded times, so every
signal must come out identical and at the same frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from pathlib import Path

import pytest

from brokers.kraken_futures.unified.feed import KrakenUnifiedFeed
from brokers.recording import FrameRecorder, RecordingHeader
from console.options import RunOptions
from console.replay.runner import replay
from console.replay.shared_pass import replay_shared
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import open_venue
from core.clock import ManualClock
from core.enums import Mode
from core.events import RoundTrip, Signal
from core.observer import EngineObserver

pytestmark = pytest.mark.e2e

LIVE_SECONDS = 3.0


def busy_settings() -> Settings:
    """Settings under which the simulated market trades often within seconds."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        sim_rate_hz=400,
        sim_seed=21,
        entry_imbalance_ratio=1.6,
        reversal_imbalance_ratio=1.2,
        take_profit_pct=0.004,
        stop_loss_pct=0.004,
        max_hold_seconds=0.4,
        cooldown_seconds=0.15,
        max_trades_per_day=100_000,
        max_daily_loss_usd=1_000_000,
        max_position_usd=1_000,
    )


class FrameCounter:
    """The feed's tap: steps the live clock to the frame's recorded time, then records it."""

    def __init__(self, clock: ManualClock, recorder: FrameRecorder) -> None:
        self.clock = clock
        self.recorder = recorder
        self.frames = 0

    def __call__(self, recv_ns: int, wall_ns: int, raw: bytes | str) -> None:
        self.clock.set(wall_ns=wall_ns, mono_ns=recv_ns)
        self.frames += 1
        self.recorder.ws_frame(recv_ns, wall_ns, raw)


class Decisions(EngineObserver):
    def __init__(self, counter: FrameCounter) -> None:
        self.counter = counter
        self.signals: list[tuple[int, Signal]] = []
        self.round_trips: list[RoundTrip] = []

    def on_signal(self, signal: Signal) -> None:
        self.signals.append((self.counter.frames - 1, signal))

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self.round_trips.append(round_trip)


async def record_live_paper_run(path: Path, settings: Settings) -> Decisions:
    options = RunOptions("sim", "PF_XBTUSD", Mode.PAPER, duration_s=None, ui=False)
    async with contextlib.AsyncExitStack() as stack:
        connection = await open_venue(options, settings, stack)
        recorder = FrameRecorder(path, flush_interval_s=0.1)
        await recorder.start(
            RecordingHeader(
                venue="kraken_unified",  # the simulated venue speaks the Unified WebSocket
                environment="sim",
                venue_name=connection.venue_name,
                products=(connection.instrument.symbol,),
                instrument=connection.instrument,
                recording_id="e2e",
                started_wall_ns=1,
            )
        )
        stack.push_async_callback(recorder.close)
        clock = ManualClock(wall_ns=1, mono_ns=0)
        counter = FrameCounter(clock, recorder)
        feed = KrakenUnifiedFeed(
            [connection.instrument.symbol], ws_url=connection.ws_url, on_raw_frame=counter
        )
        decisions = Decisions(counter)
        session = TradingSession(
            options,
            settings,
            dataclasses.replace(connection, feed=feed),
            observers=[decisions],
            clock=clock,
        )
        await session.start()
        await asyncio.sleep(LIVE_SECONDS)
        await session.stop(flatten=False)
    return decisions


async def test_the_replay_takes_the_live_runs_decisions_at_the_same_frames(
    tmp_path: Path,
) -> None:
    settings = busy_settings()
    path = tmp_path / "live.l2rec"
    live = await record_live_paper_run(path, settings)

    result = await replay(path, settings, flatten_at_end=False)

    assert len(live.signals) >= 5, "the busy settings should trade within seconds"
    assert live.round_trips, "and close some of those trades"
    assert [(frame, s) for frame, s in live.signals] == [
        (at.frame, at.signal) for at in result.signals
    ]
    assert list(result.round_trips) == live.round_trips
    assert result.read.clean


async def test_a_sweep_of_unified_frames_shares_one_pass_and_matches_each_solo_replay(
    tmp_path: Path,
) -> None:
    """Issue 16 §5: sweeps work on Unified recordings, each combination exactly its own replay."""
    settings = busy_settings()
    path = tmp_path / "live.l2rec"
    await record_live_paper_run(path, settings)
    grid = [
        settings.model_copy(update={"entry_imbalance_ratio": ratio, "cooldown_seconds": cooldown})
        for ratio in (1.6, 2.2)
        for cooldown in (0.15, 1.0)
    ]

    together = await replay_shared(path, grid)
    alone = [await replay(path, s) for s in grid]

    trades = [len(r.round_trips) for r in alone]
    assert sum(trades) > 0 and len(set(trades)) > 1, "the grid must change the trading"
    for shared, solo in zip(together, alone, strict=True):
        assert shared.signals == solo.signals
        assert shared.round_trips == solo.round_trips
        assert shared.state.realized_pnl == solo.state.realized_pnl
