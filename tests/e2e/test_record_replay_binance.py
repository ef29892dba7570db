"""Binance.us: record a live paper run on the simulated venue (stream frames, the REST snapshot,
the connection), replay it, and get the same decisions at the same frames.

As for Kraken Futures (``test_record_replay.py``), the live run's clock moves only when the
recorder stamps something, so the comparison cannot flake on a cooldown ending between a
frame's stamp and the engine's own reading of the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from pathlib import Path

import pytest

from brokers.binance_us import BinanceUsEndpoints, BinanceUsFeed, BinanceUsRest
from brokers.recording import FrameRecorder, RecordingHeader, RecordingReader, RecordKind
from brokers.sim import BinanceUsSimServer
from console.options import RunOptions
from console.replay.runner import replay
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import open_venue
from core.clock import ManualClock
from core.enums import Mode
from core.events import RoundTrip, Signal, SignalOutcome
from core.observer import EngineObserver

pytestmark = pytest.mark.e2e

LIVE_SECONDS = 3.0


class SteppingTaps:
    """Every tap steps the live clock to the stamp it records, then records."""

    def __init__(self, clock: ManualClock, recorder: FrameRecorder) -> None:
        self.clock = clock
        self.recorder = recorder
        self.records = 0

    def frame(self, recv_ns: int, wall_ns: int, raw: bytes | str) -> None:
        self._step(recv_ns, wall_ns)
        self.recorder.ws_frame(recv_ns, wall_ns, raw)

    def snapshot(self, recv_ns: int, wall_ns: int, product: str, body: bytes | str) -> None:
        self._step(recv_ns, wall_ns)
        self.recorder.rest_snapshot(recv_ns, wall_ns, product, body)

    def connected(self, recv_ns: int, wall_ns: int, url: str) -> None:
        self._step(recv_ns, wall_ns)
        self.recorder.connected(recv_ns, wall_ns, url)

    def _step(self, recv_ns: int, wall_ns: int) -> None:
        self.clock.set(wall_ns=wall_ns, mono_ns=recv_ns)
        self.records += 1


class Decisions(EngineObserver):
    def __init__(self, taps: SteppingTaps) -> None:
        self.taps = taps
        self.signals: list[tuple[int, Signal]] = []
        self.round_trips: list[RoundTrip] = []

    def on_signal(self, signal: Signal) -> None:
        self.signals.append((self.taps.records - 1, signal))

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self.round_trips.append(round_trip)


async def test_a_binance_us_recording_replays_to_the_live_runs_decisions(tmp_path: Path) -> None:
    async with BinanceUsSimServer(seed=12, rate_hz=400) as server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            binance_us_ws_url=server.ws_url,
            binance_us_rest_url=server.rest_url,
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
        options = RunOptions("binance_us", "BTCUSDT", Mode.PAPER, duration_s=None, ui=False)
        path = tmp_path / "binance.l2rec"
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            recorder = FrameRecorder(path, flush_interval_s=0.1)
            await recorder.start(
                RecordingHeader(
                    venue="binance_us",
                    environment="sim",
                    venue_name=connection.venue_name,
                    products=("BTCUSDT",),
                    instrument=connection.instrument,
                    recording_id="e2e-binance",
                    started_wall_ns=1,
                    extra={"long_only": True},
                )
            )
            stack.push_async_callback(recorder.close)
            clock = ManualClock(wall_ns=1, mono_ns=0)
            taps = SteppingTaps(clock, recorder)
            rest = connection.venue
            assert isinstance(rest, BinanceUsRest)
            rest.on_depth_body = taps.snapshot
            feed = BinanceUsFeed(
                ["BTCUSDT"],
                endpoints=BinanceUsEndpoints.with_overrides(
                    ws_url=server.ws_url, rest_url=server.rest_url
                ),
                snapshots=rest,
                on_raw_frame=taps.frame,
                on_connect=taps.connected,
            )
            live = Decisions(taps)
            session = TradingSession(
                options,
                settings,
                dataclasses.replace(connection, feed=feed),
                observers=[live],
                clock=clock,
            )
            await session.start()
            await asyncio.sleep(LIVE_SECONDS)
            await session.stop(flatten=False)

    result = await replay(path, settings, flatten_at_end=False)

    kinds = {r.kind for r in RecordingReader(path).records()}
    assert {RecordKind.CONNECTED, RecordKind.REST_SNAPSHOT, RecordKind.WS_TEXT} <= kinds
    assert result.counts.snapshots >= 1
    assert len(live.signals) >= 3
    assert any(s.outcome is SignalOutcome.IGNORED for _, s in live.signals)  # spot: no shorts
    assert [(at.frame, at.signal) for at in result.signals] == live.signals
    assert list(result.round_trips) == live.round_trips
