"""One study: recordings in, every signal's cells and verdicts out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from brokers import registry
from console.replay.overrides import fee_setting
from console.settings import Settings
from console.study.analysis import Cell, StudyInput, analyse
from console.study.outcomes import Horizon
from console.study.series import Series, read_series
from console.study.verdict import Verdict, verdicts
from console.workers import OnDone, run_jobs


class StudyError(Exception):
    """Recordings that cannot be studied together (a one-line reason)."""


@dataclass(frozen=True, slots=True)
class StudyResult:
    files: tuple[Path, ...]
    venue: str
    rows: int  # book states studied (one per venue timestamp)
    market_seconds: float
    split: float
    fee_bps: float
    synthetic: bool
    signals: tuple[str, ...]
    horizons: tuple[Horizon, ...]
    cells: tuple[Cell, ...]
    verdicts: tuple[Verdict, ...]


@dataclass(frozen=True, slots=True)
class _SeriesJob:
    path: Path
    signals: tuple[str, ...]
    depth: int
    symbol: str | None


def _read(job: _SeriesJob) -> Series:
    return read_series(job.path, job.signals, depth=job.depth, symbol=job.symbol)


def run_study(
    paths: Sequence[Path],
    settings: Settings,
    *,
    signals: Sequence[str],
    horizons: Sequence[Horizon],
    split: float = 0.7,
    symbol: str | None = None,
    cluster: str | None = None,
    on_done: OnDone | None = None,
) -> StudyResult:
    """Study ``paths`` (studied in the order their recordings started). Each file's book is
    replayed in this process, or with ``cluster`` (a Dask scheduler's address) one file per job
    on the cluster (``console.workers``); the analysis is the same either way."""
    if not 0.0 < split < 1.0:
        raise StudyError(f"--split must be between 0 and 1 (exclusive), got {split}")
    jobs = [_SeriesJob(p, tuple(signals), settings.imbalance_depth, symbol) for p in paths]
    if cluster is None:
        series = [_read(job) for job in jobs]
    else:
        series = run_jobs(_read, jobs, cluster=cluster, on_done=on_done)
    series.sort(key=lambda s: s.header.started_wall_ns)
    venues = {registry.resolve_alias(s.header.venue) for s in series}
    if len(venues) != 1:
        raise StudyError(f"recordings of one venue only, got {', '.join(sorted(venues))}")
    (venue,) = venues
    fee_bps = float(getattr(settings, fee_setting(venue)))
    entry = settings.strategy_params.entry_ratio
    study = StudyInput(
        series=series,
        signals=tuple(signals),
        horizons=tuple(horizons),
        thresholds={"ratio": (entry, 1.0 / entry)},
        split=split,
    )
    cells = analyse(study)
    return StudyResult(
        files=tuple(s.path for s in series),
        venue=venue,
        rows=sum(len(s) for s in series),
        market_seconds=sum((s.recv_ns[-1] - s.recv_ns[0]) / 1e9 for s in series if len(s)),
        split=split,
        fee_bps=fee_bps,
        synthetic=any(s.header.synthetic for s in series),
        signals=tuple(signals),
        horizons=tuple(horizons),
        cells=tuple(cells),
        verdicts=tuple(verdicts(cells, signals, fee_bps)),
    )
