"""Each signal's buckets against what the mid did next, in sample and out of sample.

For every signal × bucket × horizon × segment: the disjoint cases (``outcomes``), the share of
up moves among the cases where the mid moved, with its Wilson 95 % interval, against the null
(the same share over every update, taken the same disjoint way, in the same segment), and the
mean move in bps with a seeded bootstrap interval. Segments split the recordings' market time:
the first ``split`` share is in-sample (it also sets the decile edges), the rest out-of-sample.
A case counts in the segment where it starts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from console.study.buckets import (
    Bucket,
    Bucketing,
    decile_buckets,
    decile_edges,
    threshold_buckets,
)
from console.study.outcomes import Horizon, Outcomes, disjoint_cases, outcomes
from console.study.series import Series
from core.stats import Interval, bootstrap_mean_interval, wilson_interval

EXACT_BOOTSTRAP_CASES = 50  # beyond this many cases, the resampled mean's normal limit


class Segment(Enum):
    IN_SAMPLE = "in_sample"
    OUT_OF_SAMPLE = "out_of_sample"


@dataclass(frozen=True, slots=True)
class Cell:
    """One signal × bucket × horizon × segment. Shares are None when the mid never moved."""

    signal: str
    bucket: Bucket
    horizon: Horizon
    segment: Segment
    n: int
    up: int
    down: int
    up_share: float | None
    up_share_interval: Interval | None
    null_up_share: float | None
    mean_move_bps: float | None
    mean_move_interval: Interval | None
    mean_spread_bps: float | None


@dataclass(frozen=True, slots=True)
class StudyInput:
    series: Sequence[Series]
    signals: Sequence[str]
    horizons: Sequence[Horizon]
    thresholds: dict[str, tuple[float, float]]  # signal -> (long at or above, short at or below)
    split: float = 0.7


def segments_of(series: Sequence[Series], split: float) -> list[list[int]]:
    """Per series, per update: 0 in-sample, 1 out-of-sample (market time, files in order)."""
    spans = [(s.recv_ns[-1] - s.recv_ns[0]) if len(s) else 0 for s in series]
    cut = split * sum(spans)
    before = 0
    out = []
    for s, span in zip(series, spans, strict=True):
        if not len(s):
            out.append([])
            continue
        at = s.recv_ns[0] + (cut - before)  # may fall before or after this file
        out.append([0 if t < at else 1 for t in s.recv_ns])
        before += span
    return out


def analyse(study: StudyInput) -> list[Cell]:
    series = study.series
    segments = segments_of(series, study.split)
    results = {h: [outcomes(s, h) for s in series] for h in study.horizons}
    nulls = {h: _null_shares(results[h], segments) for h in study.horizons}
    cells: list[Cell] = []
    for name in study.signals:
        per_series = [s.values[name] for s in series]
        in_sample = [
            v
            for vals, seg in zip(per_series, segments, strict=True)
            for v, g in zip(vals, seg, strict=True)
            if g == 0
        ]
        schemes = [decile_buckets(decile_edges(in_sample), per_series)]
        if name in study.thresholds:
            long_at, short_at = study.thresholds[name]
            schemes.insert(0, threshold_buckets(name, long_at, short_at, per_series))
        for bucketing in schemes:
            for horizon in study.horizons:
                cells += _cells(
                    name,
                    bucketing,
                    horizon,
                    results=results[horizon],
                    segments=segments,
                    nulls=nulls[horizon],
                    series=series,
                )
    return cells


def _null_shares(
    results: Sequence[Outcomes], segments: Sequence[Sequence[int]]
) -> tuple[float | None, float | None]:
    ups, moved = [0, 0], [0, 0]
    for result, seg in zip(results, segments, strict=True):
        (taken,) = disjoint_cases([0] * len(seg), result, 1)
        for i in taken:
            move = result.moves_bps[i]
            if move:
                moved[seg[i]] += 1
                ups[seg[i]] += move > 0
    return (
        ups[0] / moved[0] if moved[0] else None,
        ups[1] / moved[1] if moved[1] else None,
    )


def _cells(
    name: str,
    bucketing: Bucketing,
    horizon: Horizon,
    *,
    results: Sequence[Outcomes],
    segments: Sequence[Sequence[int]],
    nulls: tuple[float | None, float | None],
    series: Sequence[Series],
) -> list[Cell]:
    count = len(bucketing.buckets)
    moves: list[list[list[float]]] = [[[] for _ in range(count)] for _ in range(2)]
    spreads: list[list[list[float]]] = [[[] for _ in range(count)] for _ in range(2)]
    for ids, result, seg, s in zip(bucketing.ids, results, segments, series, strict=True):
        for bucket, taken in enumerate(disjoint_cases(ids, result, count)):
            for i in taken:
                moves[seg[i]][bucket].append(result.moves_bps[i])
                spreads[seg[i]][bucket].append(s.spreads_bps[i])
    out = []
    for g, segment in enumerate(Segment):
        for k, bucket in enumerate(bucketing.buckets):
            out.append(
                _cell(
                    name,
                    bucket,
                    horizon,
                    segment=segment,
                    moves=moves[g][k],
                    spreads=spreads[g][k],
                    null=nulls[g],
                )
            )
    return out


def _cell(
    name: str,
    bucket: Bucket,
    horizon: Horizon,
    *,
    segment: Segment,
    moves: list[float],
    spreads: list[float],
    null: float | None,
) -> Cell:
    up = sum(1 for m in moves if m > 0)
    down = sum(1 for m in moves if m < 0)
    moved = up + down
    return Cell(
        signal=name,
        bucket=bucket,
        horizon=horizon,
        segment=segment,
        n=len(moves),
        up=up,
        down=down,
        up_share=up / moved if moved else None,
        up_share_interval=wilson_interval(up, moved) if moved else None,
        null_up_share=null,
        mean_move_bps=math.fsum(moves) / len(moves) if moves else None,
        mean_move_interval=(
            bootstrap_mean_interval(moves, exact_max_values=EXACT_BOOTSTRAP_CASES)
            if moves
            else None
        ),
        mean_spread_bps=math.fsum(spreads) / len(spreads) if spreads else None,
    )
