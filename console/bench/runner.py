"""Runs the parts the user asked for, live ones first (so the pipeline's frames, which are
benchmark data and not the console's, never count in the memory figures)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from console.bench.frames import FrameSet, read_frames, synthetic_frames
from console.bench.live import LiveResult, measure_headless
from console.bench.memory import RssSampler, peak_rss_mb
from console.bench.pipeline import measure_pipeline
from console.bench.report import BenchReport, MemoryResult, UiResult
from console.settings import Settings


class Part(Enum):
    PIPELINE = "pipeline"
    LATENCY = "latency"
    UI = "ui"
    MEMORY = "memory"


ALL_PARTS = frozenset(Part)
UI_NOT_BUILT = "the Textual console is not part of this build"


@dataclass(frozen=True, slots=True)
class BenchOptions:
    parts: frozenset[Part] = ALL_PARTS
    frames_file: Path | None = None
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
    headless: LiveResult | None = None
    memory_seconds = 0.0
    if Part.LATENCY in parts or (Part.MEMORY in parts and Part.UI not in parts):
        progress(
            f"tick→decision, headless: sim at {options.rate_hz:,.0f} frames/s for "
            f"{options.seconds:g} s (+{options.warmup_s:g} s warm-up)"
        )
        run = await measure_headless(
            settings,
            rate_hz=options.rate_hz,
            seconds=options.seconds,
            warmup_s=options.warmup_s,
            seed=options.seed,
            env_file=options.env_file,
            rss=rss,
        )
        memory_seconds = run.seconds
        headless = run if Part.LATENCY in parts else None
    ui: UiResult | None = None
    ui_unavailable = ""
    if Part.UI in parts:
        ui_unavailable = UI_NOT_BUILT
    memory = None
    if rss is not None:
        first, last = (rss.samples[0], rss.samples[-1]) if rss.samples else (None, None)
        memory = MemoryResult(peak_rss_mb(), rss.growth_pct, memory_seconds, first, last)
    report = BenchReport(headless=headless, ui=ui, ui_unavailable=ui_unavailable, memory=memory)
    if Part.PIPELINE in parts:
        frame_set = _load_frames(options, progress)
        progress(f"pipeline: {len(frame_set.frames):,} frames, best of {options.repeats} runs")
        pipeline = measure_pipeline(frame_set, settings, repeats=options.repeats)
        source = frame_set.source
        report = BenchReport(
            pipeline=pipeline,
            pipeline_source=source,
            headless=headless,
            ui=ui,
            ui_unavailable=ui_unavailable,
            memory=memory,
        )
    return report


def _load_frames(options: BenchOptions, progress: Progress) -> FrameSet:
    if options.frames_file is not None:
        progress(f"pipeline: reading {options.frames_file}")
        return read_frames(options.frames_file)
    progress(f"pipeline: making {options.count:,} synthetic frames from the simulated market")
    return synthetic_frames(options.count, seed=options.seed)
