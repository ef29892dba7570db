"""Part 1, replay row: the pipeline's frames played as ``l2console replay FILE --speed max`` plays
them, so the two costs per frame compare on the same frames.

The frames are written to a temporary recording (with their recorded times when the source had
them, else 2,000 frames/s of market time) and replayed by the real ``ReplayPlayer``: file read and
gunzip, the replay clock, the venue's replay decoder, the engine in paper mode, fill bands. The
timing follows the pipeline's: this thread's CPU time, per chunk of frames (the replay's own
progress points), each chunk keeping its best run over the repeats. Opening the file and the
end-of-recording flatten are left out, as the pipeline leaves out building its engine.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from brokers.recording import RecordingHeader, RecordingWriter
from console.bench.engine_setup import bench_instrument
from console.bench.frames import FrameSet, bench_venue
from console.replay.runner import ReplayPlayer
from console.settings import Settings

REPLAY_RATIO_TARGET = 1.5  # replay's cost per frame against the pipeline's
START_WALL_NS = 1_700_000_000_000_000_000
START_MONO_NS = 1_000_000_000
STEP_NS = 500_000  # frames without recorded times: the simulated venue's 2,000 frames/s
WRITE_BATCH = 4_096


@dataclass(frozen=True, slots=True)
class ReplayBenchResult:
    frames: int
    ns_per_frame: float
    signals: int  # decisions the replay took (one run)

    @property
    def frames_per_s(self) -> float:
        return 1e9 / self.ns_per_frame if self.ns_per_frame else 0.0


async def measure_replay(
    frame_set: FrameSet, settings: Settings, *, repeats: int
) -> ReplayBenchResult:
    with tempfile.TemporaryDirectory(prefix="l2console-bench-") as folder:
        path = Path(folder) / "frames.l2rec"
        write_recording(frame_set, path)
        best: list[int] = []
        signals = 0
        for _ in range(repeats):
            chunks, signals = await _timed_replay(path, settings)
            best = [min(pair) for pair in zip(best, chunks, strict=True)] if best else chunks
    frames = len(frame_set.frames)
    return ReplayBenchResult(frames=frames, ns_per_frame=sum(best) / frames, signals=signals)


def write_recording(frame_set: FrameSet, path: Path) -> None:
    times = frame_set.times or [
        (START_MONO_NS + i * STEP_NS, START_WALL_NS + i * STEP_NS)
        for i in range(len(frame_set.frames))
    ]
    header = RecordingHeader(
        venue=bench_venue().name,
        environment="sim" if frame_set.source == "synthetic" else "production",
        venue_name="benchmark",
        products=frame_set.products,
        instrument=frame_set.instrument or bench_instrument(frame_set.traded),
        recording_id="bench",
        started_wall_ns=times[0][1] if times else START_WALL_NS,
    )
    writer = RecordingWriter(path, header)
    try:
        items = [
            (recv, wall, frame) for (recv, wall), frame in zip(times, frame_set.frames, strict=True)
        ]
        for start in range(0, len(items), WRITE_BATCH):
            writer.write(items[start : start + WRITE_BATCH])
    finally:
        writer.close()


async def _timed_replay(path: Path, settings: Settings) -> tuple[list[int], int]:
    """CPU time of each chunk between the replay's progress points, and the signals taken."""
    player = ReplayPlayer(path, settings)
    marks = [time.thread_time_ns()]

    def mark(_done: int, _total: int, _frames: int) -> None:
        marks.append(time.thread_time_ns())

    await player.play(progress=mark)
    result = await player.finish(flatten=False)
    return [b - a for a, b in itertools.pairwise(marks)], len(result.signals)
