"""Cost of recording and speed of replay: ``python -m tests.brokers.recording.bench_recording``.

Not a test (speed is measured, never asserted). Prints, best of three:
- the tap: what the live feed pays per frame to hand it to a ``FrameRecorder`` (a list append);
- the writer: records encoded, gzip-compressed and written per second (in the worker thread);
- the replay: frames per second through the Kraken Futures parser and the full paper engine,
  on 300 s of the simulated market recorded without sockets (about 110,000 frames).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from brokers.recording import FrameRecorder, RecordingWriter
from console.replay.runner import replay
from console.settings import Settings
from tests.brokers.recording.helpers import frames, header
from tests.console.sim_recording import write_sim_recording

N = 200_000


def best_of(runs: int, measure) -> float:  # type: ignore[no-untyped-def]
    return min(measure() for _ in range(runs))


def noop_ns() -> float:
    """The same loop calling a callback that does nothing: what the tap's cost sits on."""
    items = frames(N)

    def nothing(recv: int, wall: int, raw: bytes | str) -> None:
        return None

    def once() -> float:
        start = time.perf_counter_ns()
        for recv, wall, raw in items:
            nothing(recv, wall, raw)
        return (time.perf_counter_ns() - start) / N

    return best_of(3, once)


def tap_ns() -> float:
    items = frames(N)

    def once() -> float:
        recorder = FrameRecorder(
            Path("/dev/null"),
            flush_interval_s=3600,
            flush_frames=N + 1,
            max_buffered_frames=N + 1,
        )
        tap = recorder.ws_frame
        start = time.perf_counter_ns()
        for recv, wall, raw in items:
            tap(recv, wall, raw)
        return (time.perf_counter_ns() - start) / N

    return best_of(3, once)


def writer_rate(tmp: Path) -> float:
    items = frames(N)

    def once() -> float:
        path = tmp / f"w{time.perf_counter_ns()}.l2rec"
        writer = RecordingWriter(path, header())
        start = time.perf_counter()
        for i in range(0, N, 2_000):  # a flush's worth at a busy 2,000 frames a second
            writer.write(items[i : i + 2_000])
        writer.close()
        return -N / (time.perf_counter() - start)

    return -best_of(3, once)


def replay_rate(tmp: Path) -> tuple[int, float]:
    path = tmp / "sim300.l2rec"
    count = write_sim_recording(path, seconds=300)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    def once() -> float:
        start = time.perf_counter()
        asyncio.run(replay(path, settings))
        return -count / (time.perf_counter() - start)

    return count, -best_of(3, once)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"tap (live feed -> recorder):  {tap_ns():8.0f} ns per frame")
        print(f"  same loop, no-op callback:  {noop_ns():8.0f} ns per frame")
        print(f"writer (encode+gzip+write):   {writer_rate(Path(tmp)):12,.0f} frames/s")
        count, rate = replay_rate(Path(tmp))
        print(f"replay ({count:,} frames):     {rate:12,.0f} frames/s")


if __name__ == "__main__":
    main()
