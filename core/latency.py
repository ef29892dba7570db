"""A latency histogram: frame received -> decision complete, in nanoseconds.

Log-linear buckets in the manner of HdrHistogram: values below 256 ns have a bucket each; above,
every power of two is split into 128 equal buckets, so a bucket is at most 1/128 (0.78 %) of
its lower bound wide. A percentile is reported as the middle of its bucket (clamped to the
observed maximum), which is within 0.4 % of a sample that fell in it: comfortably inside the
promised 1 %. Count, sum (hence the mean) and max are exact.

``record`` is O(1): an index computation and one increment in a preallocated list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_SUB_BITS = 8  # 2**8 = 256 exact buckets, then 128 per power of two
_EXACT = 1 << _SUB_BITS
_LINEAR_BITS = _SUB_BITS - 1  # 128 linear buckets per power of two
_MAX_BITS = 63  # int64 nanoseconds (~292 years) is the largest value recorded
_MAX_VALUE = (1 << _MAX_BITS) - 1
_MAX_SHIFT = _MAX_BITS - _SUB_BITS


def bucket_index(ns: int) -> int:
    """Which bucket ``ns`` (>= 0) falls in."""
    if ns < _EXACT:
        return ns
    shift = ns.bit_length() - _SUB_BITS
    return (shift << _LINEAR_BITS) + (ns >> shift)


_BUCKETS = bucket_index(_MAX_VALUE) + 1


def bucket_bounds(index: int) -> tuple[int, int]:
    """Lowest and highest value (inclusive) of bucket ``index``."""
    if index < _EXACT:
        return index, index
    shift = (index >> _LINEAR_BITS) - 1
    top = index - (shift << _LINEAR_BITS)
    return top << shift, ((top + 1) << shift) - 1


@dataclass(frozen=True, slots=True)
class LatencySummary:
    count: int
    avg_ns: int
    p50_ns: int
    p95_ns: int
    p99_ns: int
    p999_ns: int
    max_ns: int


_QUANTILES = (50.0, 95.0, 99.0, 99.9)


class LatencyHistogram:
    """Counts latencies in nanoseconds; answers mean, percentiles and max."""

    __slots__ = ("_counts", "_min_ns", "count", "max_ns", "sum_ns")

    def __init__(self) -> None:
        self._counts = [0] * _BUCKETS
        self.count = 0
        self.sum_ns = 0
        self.max_ns = 0
        self._min_ns = _MAX_VALUE

    def record(self, ns: int) -> None:
        """Add one latency; negative values (a clock glitch) count as 0."""
        if ns < _EXACT:
            ns = max(ns, 0)
            self._counts[ns] += 1
        else:
            shift = ns.bit_length() - _SUB_BITS
            if shift > _MAX_SHIFT:
                ns = _MAX_VALUE
                shift = _MAX_SHIFT
            self._counts[(shift << _LINEAR_BITS) + (ns >> shift)] += 1
        self.count += 1
        self.sum_ns += ns
        if ns > self.max_ns:  # noqa: PLR1730 - a comparison is cheaper than max() per frame
            self.max_ns = ns
        if ns < self._min_ns:  # noqa: PLR1730
            self._min_ns = ns

    @property
    def min_ns(self) -> int:
        """The smallest latency recorded (0 when empty)."""
        return self._min_ns if self.count else 0

    @property
    def mean_ns(self) -> float:
        return self.sum_ns / self.count if self.count else 0.0

    def percentile(self, q: float) -> int:
        """The value at or below which ``q`` percent of the samples lie (0 when empty)."""
        return self._percentiles((q,))[0]

    def summary(self) -> LatencySummary:
        p50, p95, p99, p999 = self._percentiles(_QUANTILES)
        return LatencySummary(
            count=self.count,
            avg_ns=round(self.mean_ns),
            p50_ns=p50,
            p95_ns=p95,
            p99_ns=p99,
            p999_ns=p999,
            max_ns=self.max_ns,
        )

    def _percentiles(self, qs: tuple[float, ...]) -> list[int]:
        for q in qs:
            if not 0.0 <= q <= 100.0:
                raise ValueError(f"percentile must be within 0..100, got {q}")
        if not self.count:
            return [0] * len(qs)
        # rank r (1-based) of the sample at percentile q, as in "nearest rank"
        ranks = sorted((max(1, math.ceil(q / 100.0 * self.count)), i) for i, q in enumerate(qs))
        answers = [0] * len(qs)
        seen = 0
        pending = 0
        last = bucket_index(self.max_ns)
        for index in range(last + 1):
            seen += self._counts[index]
            while pending < len(ranks) and seen >= ranks[pending][0]:
                answers[ranks[pending][1]] = self._representative(index)
                pending += 1
            if pending == len(ranks):
                break
        return answers

    def _representative(self, index: int) -> int:
        low, high = bucket_bounds(index)
        return min((low + high) // 2, self.max_ns)

    def merge(self, other: LatencyHistogram) -> None:
        """Add every sample of ``other`` to this histogram."""
        if not other.count:
            return
        counts = self._counts
        for index, n in enumerate(other._counts):
            if n:
                counts[index] += n
        self.count += other.count
        self.sum_ns += other.sum_ns
        self.max_ns = max(self.max_ns, other.max_ns)
        self._min_ns = min(self._min_ns, other._min_ns)

    def reset(self) -> None:
        self._counts = [0] * _BUCKETS
        self.count = 0
        self.sum_ns = 0
        self.max_ns = 0
        self._min_ns = _MAX_VALUE

    def bucket_counts(self) -> list[tuple[int, int]]:
        """``(upper_bound_ns, count)`` of every non-empty bucket, lowest first."""
        return [(bucket_bounds(i)[1], n) for i, n in enumerate(self._counts) if n]
