"""Sweeps: one replay per combination of a settings grid, on every core, in- and out-of-sample.

Each combination replays the whole recording (the engine's state — position, cooldown,
daily limits — runs on across the split, as it would live). Round trips are then split in time
by when they were *opened*: before the split point (by default the first 70 % of the market
time) they are in-sample, after it out-of-sample. The in-sample best combination is the one a
user would pick; if it does much worse out of sample, the table says so: that is what
overfitting to one stretch of data looks like.

Combinations share the replay: the recording is decoded, its book rebuilt and each signal
computed once for all of them (``shared_pass``), each keeping its own strategy, risk and fills.

Passes run in separate processes (``console.workers``: two by default on this project's two-core
machines, or on a Dask cluster with ``cluster``); results are put back in grid order, so the
table is the same whatever finished first.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr

from console.replay.overrides import apply_overrides, parse_assignment, setting_name
from console.replay.result import ReplayResult
from console.replay.shared_pass import market_key, replay_shared
from console.settings import Settings, SettingsError
from console.workers import run_jobs
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
    first_wall_ns: int = 0
    last_wall_ns: int = 0
    trades: tuple[ComboTrades, ...] = ()  # per combination, for the walk-forward windows


@dataclass(frozen=True, slots=True)
class ComboTrades:
    """One combination's closed trades over the whole recording (default and pessimistic fills)."""

    combination: Combination
    round_trips: tuple[RoundTrip, ...]
    pessimistic: tuple[RoundTrip, ...] | None  # None when no pessimistic band was run


@dataclass(frozen=True, slots=True)
class _Job:
    """Combinations that share one pass (``shared_pass``): one market key, run together."""

    indexes: tuple[int, ...]
    path: Path
    settings: tuple[Settings, ...]
    combinations: tuple[Combination, ...]
    symbol: str | None = None


@dataclass(frozen=True, slots=True)
class _Played:
    trades: tuple[tuple[int, ComboTrades], ...]
    first_wall_ns: int
    last_wall_ns: int
    frames: int
    synthetic: bool


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
    cluster: str | None = None,
) -> SweepResult:
    """Replay every combination (validated first, in this process) and collect the table.

    Combinations whose books are the same (``shared_pass.market_key``) share one pass of the
    recording; a group is cut in up to ``workers`` parts, so every core has a pass to play.
    ``on_done(passes done, passes)``; ``cluster``: a Dask scheduler's address (``workers``).
    """
    if not 0.0 < split < 1.0:
        raise SettingsError(f"the split must be between 0 and 1, got {split}")
    # No key ever leaves this process: every secret setting is blanked for the workers.
    safe_base = base.model_copy(
        update={name: None for name, value in base if isinstance(value, SecretStr)}
    )
    combos = combinations(grid)
    settings = [apply_overrides(safe_base, combo, venue) for combo in combos]
    jobs = _jobs(path, settings, combos, workers, symbol)
    trades: list[ComboTrades | None] = [None] * len(combos)
    played: _Played | None = None
    for played in run_jobs(_run_job, jobs, workers=workers, cluster=cluster, on_done=on_done):
        for index, combo_trades in played.trades:
            trades[index] = combo_trades
    assert played is not None
    first, last = played.first_wall_ns, played.last_wall_ns
    kept = tuple(t for t in trades if t is not None)
    split_wall_ns = split_point(first, last, split)
    return SweepResult(
        path=path,
        split=split,
        split_wall_ns=split_wall_ns,
        rows=tuple(split_row(t, first, split_wall_ns, last) for t in kept),
        frames=played.frames,
        synthetic=played.synthetic,
        first_wall_ns=first,
        last_wall_ns=last,
        trades=kept,
    )


def _jobs(
    path: Path,
    settings: Sequence[Settings],
    combos: Sequence[Combination],
    workers: int,
    symbol: str | None,
) -> list[_Job]:
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, one in enumerate(settings):
        groups.setdefault(market_key(one), []).append(index)
    parts = max(1, workers // len(groups))
    jobs = []
    for indexes in groups.values():
        for part in range(min(parts, len(indexes))):
            chosen = tuple(indexes[part::parts])
            jobs.append(
                _Job(
                    chosen,
                    path,
                    tuple(settings[i] for i in chosen),
                    tuple(combos[i] for i in chosen),
                    symbol,
                )
            )
    return jobs


def _run_job(job: _Job) -> _Played:
    results = asyncio.run(replay_shared(job.path, job.settings, symbol=job.symbol))
    first = results[0]
    return _Played(
        trades=tuple(
            (index, combo_trades(result, combo))
            for index, combo, result in zip(job.indexes, job.combinations, results, strict=True)
        ),
        first_wall_ns=first.first_wall_ns,
        last_wall_ns=first.last_wall_ns,
        frames=first.frames,
        synthetic=first.header.synthetic,
    )


def combo_trades(result: ReplayResult, combination: Combination) -> ComboTrades:
    pessimistic = next((b for b in result.bands if b.model.name == "pessimistic"), None)
    return ComboTrades(
        combination,
        result.round_trips,
        None if pessimistic is None else pessimistic.round_trips,
    )


def split_point(first_wall_ns: int, last_wall_ns: int, split: float) -> int:
    return first_wall_ns + int((last_wall_ns - first_wall_ns) * split)


def segment(trades: ComboTrades, start_ns: int, end_ns: int, hours: float) -> Segment:
    """The trades opened in [start, end) of market time, over ``hours`` of it."""

    def keep(rt: RoundTrip) -> bool:
        return start_ns <= rt.opened_wall_ns < end_ns

    pessimistic = None
    if trades.pessimistic is not None:
        pessimistic = sum((rt.net_pnl for rt in trades.pessimistic if keep(rt)), Decimal(0))
    kept = [rt for rt in trades.round_trips if keep(rt)]
    return Segment(max(0.0, hours), compute_stats(kept), pessimistic)


def split_row(trades: ComboTrades, first_ns: int, split_ns: int, last_ns: int) -> SweepRow:
    """In-sample: opened before the split; out-of-sample: opened at or after it."""
    return SweepRow(
        combination=trades.combination,
        in_sample=segment(trades, -(2**63), split_ns, (split_ns - first_ns) / 3.6e12),
        out_of_sample=segment(trades, split_ns, 2**63, (last_ns - split_ns) / 3.6e12),
    )


def split_result(
    result: ReplayResult, combination: Combination, split: float
) -> tuple[int, SweepRow]:
    """The replay's round trips as in-sample (opened before the split) and out-of-sample."""
    first, last = result.first_wall_ns, result.last_wall_ns
    split_wall_ns = split_point(first, last, split)
    row = split_row(combo_trades(result, combination), first, split_wall_ns, last)
    return split_wall_ns, row
