"""Part 1: what one frame costs from raw text to decision, beside bare ``orjson.loads``.

Each frame goes through exactly what the live feed does with it: stamp ``recv_ns``, then the
benchmarked venue's real frame parser (decode, validate, build the book event) into the real ``Engine`` (book,
imbalance, strategy, risk, latency histogram), dry-run. The baseline is ``orjson.loads`` of the
same frame objects. Both are timed over every frame, several times, in chunks of a couple of
thousand frames; each chunk keeps its fastest run and the per-frame cost is the sum of the
chunks' best over the frames. Every repeat replays the frames in order into a fresh engine, so
chunk ``i`` always meets the same book. Time is this thread's CPU time: on an idle machine it
equals wall time, on a busy one it leaves out the time slices other processes took.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import orjson

from brokers.venue import FrameParser
from console.bench.engine_setup import bench_instrument, dry_run_engine
from console.bench.frames import Frame, FrameSet, bench_venue
from console.settings import Settings

DEFAULT_REPEATS = 5
CHUNK = 2_000  # frames timed together; each chunk keeps its best run
_NEVER = 1 << 62


@dataclass(frozen=True, slots=True)
class PipelineResult:
    frames: int
    ns_per_frame: float
    orjson_ns_per_frame: float
    decisions: int  # frames that reached the strategy (one run)
    signals: int
    resyncs: int  # resyncs the engine asked for (a recording with gaps has some)
    dropped: int  # frames the parser refused

    @property
    def frames_per_s(self) -> float:
        return 1e9 / self.ns_per_frame if self.ns_per_frame else 0.0

    @property
    def ratio(self) -> float:
        return self.ns_per_frame / self.orjson_ns_per_frame if self.orjson_ns_per_frame else 0.0


def measure_pipeline(
    frame_set: FrameSet, settings: Settings, *, repeats: int = DEFAULT_REPEATS
) -> PipelineResult:
    frames = frame_set.frames
    instrument = frame_set.instrument or bench_instrument(frame_set.traded)
    others = frame_set.products[1:]
    chunks = [frames[i : i + CHUNK] for i in range(0, len(frames), CHUNK)]
    best_pipeline = [_NEVER] * len(chunks)
    best_orjson = [_NEVER] * len(chunks)
    venue = bench_venue()
    for _ in range(repeats):
        engine, feed = dry_run_engine(settings, instrument, others)
        parser = venue.frame_parser(engine)
        _keep_best(best_pipeline, [_time_pipeline(parser, chunk) for chunk in chunks])
        _keep_best(best_orjson, [_time_orjson(chunk) for chunk in chunks])
    state = engine.state()
    return PipelineResult(
        frames=len(frames),
        ns_per_frame=sum(best_pipeline) / len(frames),
        orjson_ns_per_frame=sum(best_orjson) / len(frames),
        decisions=engine.latency.count,
        signals=state.signals_total,
        resyncs=len(feed.resyncs),
        dropped=parser.stats.dropped_total,
    )


def _keep_best(best: list[int], times: list[int]) -> None:
    for i, ns in enumerate(times):
        best[i] = min(best[i], ns)


def _time_pipeline(parser: FrameParser, frames: list[Frame]) -> int:
    parse = parser.parse
    stamp = time.monotonic_ns
    start = time.thread_time_ns()
    for frame in frames:
        parse(frame, stamp())
    return time.thread_time_ns() - start


def _time_orjson(frames: list[Frame]) -> int:
    loads = orjson.loads
    bad = orjson.JSONDecodeError
    start = time.thread_time_ns()
    for frame in frames:
        try:  # free in CPython 3.11 unless raised; a recording may hold a broken frame
            loads(frame)
        except bad:
            pass
    return time.thread_time_ns() - start
