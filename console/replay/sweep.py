"""Sweeps: one replay per combination of a settings grid, on every core, in- and out-of-sample.

Each combination replays the whole recording once (the engine's state — position, cooldown,
daily limits — runs on across the split, as it would live). Round trips are then split in time
by when they were *opened*: before the split point (by default the first 70 % of the market
time) they are in-sample, after it out-of-sample. The in-sample best combination is the one a
user would pick; if it does much worse out of sample, the table says so: that is what
overfitting to one stretch of data looks like.

Workers are separate processes (``spawn``: a fresh interpreter each, nothing inherited but the
job), two by default on this project's two-core machines; results are put back in grid order,
so the table is the same whatever finished first.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr

from console.replay.overrides import apply_overrides, parse_assignment, setting_name
from console.replay.result import ReplayResult
from console.replay.runner import replay
from console.settings import Settings, SettingsError
from core.events import RoundTrip
from core.stats import TradeStats, compute_stats

DEFAULT_SPLIT = 0.7
OVERFIT_SHARE = 0.5  # out-of-sample earning rate below this share of the in-sample one: warn
MIN_TRADES = 10  # fewer trades than this in a segment: too few to tell

Combination = tuple[tuple[str, str], ...]
"""((key as the user typed it, value), …) in grid order."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of market time: the trades opened in it, under default and pessimistic fills."""

    hours: float
    stats: TradeStats
    pessimistic_pnl: Decimal | None  # None when no pessimistic band was run


@dataclass(frozen=True, slots=True)
class SweepRow:
    combination: Combination
    in_sample: Segment
    out_of_sample: Segment


@dataclass(frozen=True, slots=True)
class SweepResult:
    path: Path
    split: float
    split_wall_ns: int
    rows: tuple[SweepRow, ...]
    frames: int
    synthetic: bool


@dataclass(frozen=True, slots=True)
class _Job:
    index: int
    path: Path
    settings: Settings
    combination: Combination
    split: float
    symbol: str | None = None


def parse_grid(texts: Sequence[str], venue: str) -> list[tuple[str, tuple[str, ...]]]:
    """``["entry_ratio=2.0,2.5", …]`` -> ``[("entry_ratio", ("2.0", "2.5")), …]``, checked."""
    grid: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for text in texts:
        key, values_text = parse_assignment(text)
        name = setting_name(key, venue)
        if name in seen:
            raise SettingsError(f"{key} is in the grid twice")
        seen.add(name)
        values = tuple(v.strip() for v in values_text.split(","))
        if any(not v for v in values):
            raise SettingsError(f"empty value in --grid {text!r}")
        grid.append((key, values))
    if not grid:
        raise SettingsError("a sweep needs at least one --grid key=v1,v2,…")
    return grid


def combinations(grid: Sequence[tuple[str, Sequence[str]]]) -> list[Combination]:
    keys = [key for key, _ in grid]
    return [
        tuple(zip(keys, values, strict=True)) for values in itertools.product(*(v for _, v in grid))
    ]


def run_sweep(
    path: Path,
    base: Settings,
    grid: Sequence[tuple[str, Sequence[str]]],
    venue: str,
    *,
    split: float = DEFAULT_SPLIT,
    workers: int = 2,
    on_done: Callable[[int, int], None] | None = None,
    symbol: str | None = None,
) -> SweepResult:
    """Replay every combination (validated first, in this process) and collect the table."""
    if not 0.0 < split < 1.0:
        raise SettingsError(f"the split must be between 0 and 1, got {split}")
    # No key ever leaves this process: every secret setting is blanked for the workers.
    safe_base = base.model_copy(
        update={name: None for name, value in base if isinstance(value, SecretStr)}
    )
    jobs = [
        _Job(i, path, apply_overrides(safe_base, combo, venue), combo, split, symbol)
        for i, combo in enumerate(combinations(grid))
    ]
    rows: list[SweepRow | None] = [None] * len(jobs)
    meta: tuple[int, int, bool] = (0, 0, False)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))), mp_context=context
    ) as pool:
        futures = [pool.submit(_run_job, job) for job in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            index, row, job_meta = future.result()
            rows[index] = row
            meta = job_meta
            if on_done is not None:
                on_done(done, len(jobs))
    split_wall_ns, frames, synthetic = meta
    return SweepResult(
        path=path,
        split=split,
        split_wall_ns=split_wall_ns,
        rows=tuple(r for r in rows if r is not None),
        frames=frames,
        synthetic=synthetic,
    )


def _run_job(job: _Job) -> tuple[int, SweepRow, tuple[int, int, bool]]:
    result = asyncio.run(replay(job.path, job.settings, symbol=job.symbol))
    split_wall_ns, row = split_result(result, job.combination, job.split)
    return job.index, row, (split_wall_ns, result.frames, result.header.synthetic)


def split_result(
    result: ReplayResult, combination: Combination, split: float
) -> tuple[int, SweepRow]:
    """The replay's round trips as in-sample (opened before the split) and out-of-sample."""
    first, last = result.first_wall_ns, result.last_wall_ns
    split_wall_ns = first + int((last - first) * split)
    pessimistic = next((b for b in result.bands if b.model.name == "pessimistic"), None)

    def segment(keep: Callable[[RoundTrip], bool], start: int, end: int) -> Segment:
        trips = [rt for rt in result.round_trips if keep(rt)]
        pess = None
        if pessimistic is not None:
            pess = sum((rt.net_pnl for rt in pessimistic.round_trips if keep(rt)), Decimal(0))
        return Segment(max(0.0, (end - start) / 3.6e12), compute_stats(trips), pess)

    def before(rt: RoundTrip) -> bool:
        return rt.opened_wall_ns < split_wall_ns

    def after(rt: RoundTrip) -> bool:
        return rt.opened_wall_ns >= split_wall_ns

    row = SweepRow(
        combination=combination,
        in_sample=segment(before, first, split_wall_ns),
        out_of_sample=segment(after, split_wall_ns, last),
    )
    return split_wall_ns, row
