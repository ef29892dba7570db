"""How a signal's values are grouped: deciles of the in-sample values, and entry thresholds."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Scheme(Enum):
    DECILE = "decile"
    THRESHOLD = "threshold"


@dataclass(frozen=True, slots=True)
class Bucket:
    """``direction`` +1: the value says "up" (the long side), -1: "down", 0: neither."""

    label: str
    scheme: Scheme
    direction: int


@dataclass(frozen=True, slots=True)
class Bucketing:
    buckets: tuple[Bucket, ...]
    ids: list[list[int]]  # per series, per update: the bucket's index, -1 for none


def fmt(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


def decile_edges(values: Sequence[float]) -> list[float]:
    """The distinct 10 %, 20 % … 90 % quantiles (ties on a discrete signal merge buckets)."""
    if not values:
        return []
    ordered = sorted(values)
    n = len(ordered)
    edges: list[float] = []
    for k in range(1, 10):
        edge = ordered[min(n - 1, (k * n) // 10)]
        if not edges or edge > edges[-1]:
            edges.append(edge)
    if edges and edges[-1] >= ordered[-1]:
        edges.pop()  # nothing would be above the last edge
    return edges


def decile_buckets(edges: list[float], per_series: Sequence[Sequence[float]]) -> Bucketing:
    count = len(edges) + 1
    buckets = []
    for k in range(count):
        if k == 0:
            label = f"D1 <= {fmt(edges[0])}" if edges else "all"
        elif k == count - 1:
            label = f"D{k + 1} > {fmt(edges[-1])}"
        else:
            label = f"D{k + 1} {fmt(edges[k - 1])}..{fmt(edges[k])}"
        direction = 1 if k == count - 1 and count > 1 else -1 if k == 0 and count > 1 else 0
        buckets.append(Bucket(label, Scheme.DECILE, direction))
    ids = [[bisect_left(edges, v) for v in values] for values in per_series]
    return Bucketing(tuple(buckets), ids)


def threshold_buckets(
    name: str, long_at: float, short_at: float, per_series: Sequence[Sequence[float]]
) -> Bucketing:
    """The strategy's entries: ``value >= long_at`` (long), ``value <= short_at`` (short)."""
    buckets = (
        Bucket(f"{name} >= {fmt(long_at)}", Scheme.THRESHOLD, 1),
        Bucket(f"{name} <= {fmt(short_at)}", Scheme.THRESHOLD, -1),
    )
    ids = [
        [0 if v >= long_at else 1 if v <= short_at else -1 for v in values] for values in per_series
    ]
    return Bucketing(buckets, ids)
