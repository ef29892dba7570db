"""Part 1: what one frame costs from raw text to decision, beside bare ``orjson.loads``.

Several pipelines (v1's and Unified's frames of the same market changes) are measured in
alternating runs, so a busy machine's slow spell falls on each alike.

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
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from brokers import registry
from brokers.venue import FrameParser
from console.bench.engine_setup import ResyncRecorder, bench_instrument, dry_run_engine
from console.bench.frames import Frame, FrameSet
from console.settings import Settings
from core.engine import Engine
from core.events import BookDelta, BookSnapshot, FeedEvent
from core.ports import FeedSink

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
    venue: str = ""  # whose frames and parser (the registry name)
    level_changes: int = 0  # levels the parser handed the book (set, changed or deleted)

    @property
    def level_changes_per_frame(self) -> float:
        return self.level_changes / self.frames if self.frames else 0.0

    @property
    def ns_per_level_change(self) -> float:
        return self.ns_per_frame * self.frames / self.level_changes if self.level_changes else 0.0

    @property
    def frames_per_s(self) -> float:
        return 1e9 / self.ns_per_frame if self.ns_per_frame else 0.0

    @property
    def ratio(self) -> float:
        return self.ns_per_frame / self.orjson_ns_per_frame if self.orjson_ns_per_frame else 0.0


def measure_pipeline(
    frame_set: FrameSet, settings: Settings, *, repeats: int = DEFAULT_REPEATS
) -> PipelineResult:
    return measure_pipelines([frame_set], settings, repeats=repeats)[0]


def measure_pipelines(
    frame_sets: list[FrameSet], settings: Settings, *, repeats: int = DEFAULT_REPEATS
) -> list[PipelineResult]:
    """Each frame set through its venue's parser and a fresh engine, the sets taking turns in
    every repeat; one result per set, in order."""
    runs = [_Run(frame_set) for frame_set in frame_sets]
    for _ in range(repeats):
        for run in runs:
            run.once(settings)
    return [run.result() for run in runs]


class _Run:
    """One frame set's best times per chunk so far, and its last engine."""

    def __init__(self, frame_set: FrameSet) -> None:
        self.frame_set = frame_set
        self.venue = registry.venue(frame_set.venue)
        frames = frame_set.frames
        self.chunks = [frames[i : i + CHUNK] for i in range(0, len(frames), CHUNK)]
        self.best_pipeline = [_NEVER] * len(self.chunks)
        self.best_orjson = [_NEVER] * len(self.chunks)
        self.last: tuple[Engine, ResyncRecorder, FrameParser] | None = None

    def once(self, settings: Settings) -> None:
        frame_set = self.frame_set
        instrument = frame_set.instrument or bench_instrument(frame_set.traded)
        engine, feed = dry_run_engine(settings, instrument, frame_set.products[1:])
        parser = self.venue.frame_parser(engine)
        _keep_best(self.best_pipeline, [_time_pipeline(parser, c) for c in self.chunks])
        _keep_best(self.best_orjson, [_time_orjson(c) for c in self.chunks])
        self.last = engine, feed, parser

    def result(self) -> PipelineResult:
        assert self.last is not None, "measured at least once"
        engine, feed, parser = self.last
        frames = self.frame_set.frames
        return PipelineResult(
            frames=len(frames),
            ns_per_frame=sum(self.best_pipeline) / len(frames),
            orjson_ns_per_frame=sum(self.best_orjson) / len(frames),
            decisions=engine.latency.count,
            signals=engine.state().signals_total,
            resyncs=len(feed.resyncs),
            dropped=parser.stats.dropped_total,
            venue=self.venue.name,
            level_changes=count_level_changes(self.venue.frame_parser, frames),
        )


class _LevelCounter:
    """A sink that counts the level changes a parser hands the book (untimed)."""

    def __init__(self) -> None:
        self.levels = 0

    def on_level(self, *level: object) -> None:
        self.levels += 1

    def on_delta(self, delta: BookDelta) -> None:
        self.levels += len(delta.bids) + len(delta.asks)

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        """A snapshot replaces the book: not a change."""

    def on_feed_event(self, event: FeedEvent) -> None:
        """Not a level."""


def count_level_changes(make_parser: Callable[[FeedSink], FrameParser], frames: list[Frame]) -> int:
    """The level changes (set, changed, deleted; snapshots aside) the frames carry, as the
    venue's parser hands them to the book: for Unified this includes the deletions truncation to
    the subscribed depth makes."""
    counter = _LevelCounter()
    parser = make_parser(counter)
    for frame in frames:
        parser.parse(frame, 0)
    return counter.levels


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
