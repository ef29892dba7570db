"""Part 5: what a sweep costs beside one replay of the same recording.

A 27-combination grid around the guide's thresholds (entry ratio × take profit × stop loss, three
values each) is played on one shared pass (``console.replay.shared_pass``), in this process, and
compared with one replay of the same file with the first combination. Target: at most 3× one
replay. Both are timed in this process's CPU time (on an idle machine that equals wall time; on a
busy one it leaves out the time other processes took), best of a few runs. The recording is the
``--frames`` file when it is one, else 100,000 frames of the simulated market written for the run.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.bench.frames import GZIP_MAGIC
from console.bench.sim_recording import write_bench_recording
from console.replay.overrides import apply_overrides
from console.replay.runner import replay
from console.replay.shared_pass import replay_shared
from console.replay.sweep import combinations, parse_grid
from console.settings import Settings

SWEEP_RATIO_TARGET = 3.0
GRID = ("entry_ratio=2.5,3,3.5", "take_profit=0.1,0.2,0.3", "stop_loss=0.1,0.15,0.2")
SIM_FRAMES = 100_000  # about 50 s of the simulated market at 2,000 changes/s


@dataclass(frozen=True, slots=True)
class SweepBenchResult:
    frames: int
    combinations: int
    one_replay_s: float
    sweep_s: float
    round_trips: int  # of all combinations: the sweep traded, it did not only read
    source: str

    @property
    def ratio(self) -> float:
        return self.sweep_s / self.one_replay_s if self.one_replay_s > 0 else float("inf")


def is_recording(path: Path | None) -> bool:
    """A file ``replay`` reads (an l2console recording, tardis.dev CSV, cryptofeed), not raw
    frames."""
    from brokers.recording.sources import is_foreign_recording  # noqa: PLC0415

    if path is None:
        return False
    try:
        with path.open("rb") as file:
            return file.read(2) == GZIP_MAGIC or is_foreign_recording(path)
    except OSError:
        return False


async def measure_sweep(
    settings: Settings,
    recording: Path | None,
    *,
    symbol: str | None = None,
    repeats: int = 3,
    progress: Callable[[str], None] = lambda _text: None,
) -> SweepBenchResult:
    """Time one replay and the 27-combination shared sweep of ``recording`` (None: the sim's)."""
    if recording is not None:
        return await _measure(settings, recording, symbol, repeats, str(recording))
    with tempfile.TemporaryDirectory(prefix="l2console-bench-") as folder:
        path = Path(folder) / "sim.l2rec"
        progress(f"sweep: writing {SIM_FRAMES:,} frames of the simulated market")
        write_bench_recording(path, frames=SIM_FRAMES)
        return await _measure(settings, path, None, repeats, "simulated market")


async def _measure(
    settings: Settings, path: Path, symbol: str | None, repeats: int, source: str
) -> SweepBenchResult:
    from brokers.recording.sources import open_recording  # noqa: PLC0415

    venue = open_recording(path, symbol).header.venue
    grid = parse_grid(GRID, venue)
    every = [apply_overrides(settings, combo, venue) for combo in combinations(grid)]
    one_s = sweep_s = float("inf")
    frames = trips = 0
    for _ in range(max(1, repeats)):
        start = time.process_time()
        one = await replay(path, every[0], symbol=symbol)
        one_s = min(one_s, time.process_time() - start)
        start = time.process_time()
        results = await replay_shared(path, every, symbol=symbol)
        sweep_s = min(sweep_s, time.process_time() - start)
        frames = one.frames
        trips = sum(len(r.round_trips) for r in results)
    return SweepBenchResult(frames, len(every), one_s, sweep_s, trips, source)
