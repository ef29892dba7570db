"""Runs the parts the user asked for, live ones first (so the pipeline's frames, which are
benchmark data and not the console's, never count in the memory figures)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from console.bench.frames import UNIFIED_BENCH_VENUE, FrameSet, read_frames, synthetic_frames
from console.bench.live import LiveResult, LiveRun, measure_headless
from console.bench.memory import RssSampler, peak_rss_mb
from console.bench.pipeline import PipelineResult, measure_pipelines
from console.bench.replay import measure_replay
from console.bench.report import BenchReport, MemoryResult, UiResult
from console.bench.sweep import is_recording, measure_sweep
from console.bench.ui import console_available, measure_ui
from console.settings import Settings
from core.signals.bench import signal_costs


class Part(Enum):
    PIPELINE = "pipeline"
    LATENCY = "latency"
    UI = "ui"
    MEMORY = "memory"
    SWEEP = "sweep"


ALL_PARTS = frozenset(Part)
UI_NOT_BUILT = "the Textual console is not part of this build"


@dataclass(frozen=True, slots=True)
class BenchOptions:
    parts: frozenset[Part] = ALL_PARTS
    frames_file: Path | None = None
    frames_symbol: str | None = None  # one symbol of a multi-symbol frames file (tardis.dev)
    count: int = 100_000  # synthetic frames for the pipeline
    rate_hz: float = 2_000.0  # what the simulated venue sends in the live parts
    seconds: float = 10.0  # each live part's measured window
    warmup_s: float = 2.0
    repeats: int = 5  # pipeline runs; the best is kept
    seed: int = 1
    env_file: Path = Path(".env")


Progress = Callable[[str], None]


async def run_bench(options: BenchOptions, settings: Settings, progress: Progress) -> BenchReport:
    parts = options.parts
    rss = RssSampler() if Part.MEMORY in parts else None
    run = LiveRun(
        options.rate_hz, options.seconds, options.warmup_s, options.seed, options.env_file
    )
    window = f"sim at {options.rate_hz:,.0f} frames/s for {options.seconds:g} s"
    window += f" (+{options.warmup_s:g} s warm-up)"
    headless: LiveResult | None = None
    memory_window_s = 0.0
    # Memory is sampled over one live run: the headless one when it runs.
    if Part.LATENCY in parts or (Part.MEMORY in parts and Part.UI not in parts):
        progress(f"tick→decision, headless: {window}")
        headless = await measure_headless(settings, run, rss)
        memory_window_s = headless.seconds
        rss_for_ui = None
    else:
        rss_for_ui = rss
    ui: UiResult | None = None
    ui_unavailable = ""
    if Part.UI in parts:
        if console_available():
            progress(f"tick→decision, console drawing: {window}")
            ui = await measure_ui(settings, run, rss_for_ui)
            if rss_for_ui is not None:
                memory_window_s = ui.live.seconds
        else:
            ui_unavailable = UI_NOT_BUILT
    memory = None
    if rss is not None:  # the peak so far: the engine, and the console when part 3 ran
        first, last = (rss.samples[0], rss.samples[-1]) if rss.samples else (None, None)
        memory = MemoryResult(peak_rss_mb(), rss.growth_pct, memory_window_s, first, last)
    pipeline = None
    unified: PipelineResult | None = None
    replayed = None
    source = ""
    costs = None
    if Part.PIPELINE in parts:
        frame_set, pipeline, unified = _measure_pipelines(options, settings, progress)
        source = frame_set.source
        progress(f"replay --speed max: the same frames, best of {options.repeats} runs")
        replayed = await measure_replay(frame_set, settings, repeats=options.repeats)
        progress("signals: cost per book update of each")
        # A small benchmark stays quick: as many updates as pipeline frames, within bounds.
        costs = signal_costs(
            updates=max(1_000, min(options.count, 50_000)), runs=min(3, options.repeats)
        )
    sweep = None
    if Part.SWEEP in parts:
        recording = options.frames_file if is_recording(options.frames_file) else None
        progress("sweep: 27 combinations on one shared pass against one replay")
        sweep = await measure_sweep(
            settings,
            recording,
            symbol=options.frames_symbol,
            repeats=min(3, options.repeats),
            progress=progress,
        )
    return BenchReport(
        pipeline=pipeline,
        pipeline_unified=unified,
        pipeline_source=source,
        replay=replayed,
        headless=headless if Part.LATENCY in parts else None,
        ui=ui,
        ui_unavailable=ui_unavailable,
        memory=memory,
        signal_costs=costs,
        sweep=sweep,
        active_signal=settings.imbalance_signal if Part.PIPELINE in parts else "",
    )


def _measure_pipelines(
    options: BenchOptions, settings: Settings, progress: Progress
) -> tuple[FrameSet, PipelineResult, PipelineResult | None]:
    """The v1 pipeline on its frames; on synthetic frames, the Unified one beside it on Unified
    frames of the same market changes, the two taking turns run by run."""
    frame_set = _load_frames(options, progress)
    frame_sets = [frame_set]
    if options.frames_file is None:
        progress(f"pipeline: making {options.count:,} Kraken Unified frames of the same market")
        frame_sets.append(
            synthetic_frames(options.count, seed=options.seed, venue_name=UNIFIED_BENCH_VENUE)
        )
    turns = ", v1 and Unified taking turns" if len(frame_sets) > 1 else ""
    progress(f"pipeline: {len(frame_set.frames):,} frames, best of {options.repeats} runs{turns}")
    results = measure_pipelines(frame_sets, settings, repeats=options.repeats)
    return frame_set, results[0], results[1] if len(results) > 1 else None


def _load_frames(options: BenchOptions, progress: Progress) -> FrameSet:
    if options.frames_file is not None:
        progress(f"pipeline: reading {options.frames_file}")
        return read_frames(options.frames_file, options.frames_symbol)
    progress(f"pipeline: making {options.count:,} synthetic frames from the simulated market")
    return synthetic_frames(options.count, seed=options.seed)
