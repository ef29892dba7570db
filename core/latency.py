"""Latency histograms: frame received -> decision complete, and the order path after it.

The engine keeps three, by name: ``tick_to_decision`` (the adapter's ``recv_ns`` -> decision
complete, every book update of the traded product), ``decision_to_order`` (decision -> the order
handed to the venue, or to the paper fill simulator) and ``order_to_ack`` (order handed to the
venue -> its answer; live orders only).

Log-linear buckets in the manner of HdrHistogram: values below 256 ns have a bucket each; above,
every power of two is split into 128 equal buckets, so a bucket is at most 1/128 (0.78 %) of
its lower bound wide. A percentile is reported as the middle of its bucket (clamped to the
observed maximum), which is within 0.4 % of a sample that fell in it: comfortably inside the
promised 1 %. Count, sum (hence the mean) and max are exact.

``record`` is O(1) and cheap (it runs on every book update): it appends the sample to a short
buffer, bucketed in one loop, mostly by table lookup, when the buffer is full or when anything
reads the histogram (every reader folds it first). That costs about half of bucketing each
sample in its own call.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, repeat

_SUB_BITS = 8  # 2**8 = 256 exact buckets, then 128 per power of two
_EXACT = 1 << _SUB_BITS
_LINEAR_BITS = _SUB_BITS - 1  # 128 linear buckets per power of two
_MAX_BITS = 63  # int64 nanoseconds (~292 years) is the largest value recorded
_MAX_VALUE = (1 << _MAX_BITS) - 1
_MAX_SHIFT = _MAX_BITS - _SUB_BITS
_FOLD_AT = 512  # samples buffered by ``record`` before they are bucketed


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


def _bucket_table(limit: int) -> list[int]:
    """``bucket_index(ns)`` for every ``ns`` below ``limit``: each index repeated over its bucket."""
    table: list[int] = []
    index = 0
    while len(table) < limit:
        low, high = bucket_bounds(index)
        table.extend(repeat(index, high - low + 1))
        index += 1
    return table[:limit]


# Folding a batch looks the bucket up in this table instead of computing it (three times cheaper);
# tick -> decision latencies are nearly all below 2**15 ns.
_TABLED = 1 << 15
_BUCKET_OF = _bucket_table(_TABLED)


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

TICK_TO_DECISION = "tick_to_decision"
DECISION_TO_ORDER = "decision_to_order"
ORDER_TO_ACK = "order_to_ack"


class LatencyHistogram:
    """Counts latencies in nanoseconds; answers mean, percentiles and max."""

    __slots__ = ("_count", "_counts", "_max_ns", "_min_ns", "_pending", "_sum_ns")

    def __init__(self) -> None:
        self._counts = [0] * _BUCKETS
        self._pending: list[int] = []  # recorded, not bucketed yet
        self._count = 0
        self._sum_ns = 0
        self._max_ns = 0
        self._min_ns = _MAX_VALUE

    def record(self, ns: int) -> None:
        """Add one latency; negative values (a clock glitch) count as 0."""
        pending = self._pending
        pending.append(ns)
        if len(pending) >= _FOLD_AT:
            self._fold()

    def _fold(self) -> None:
        """Bucket the buffered samples and add them to count, sum, min and max."""
        pending = self._pending
        if not pending:
            return
        low, high = min(pending), max(pending)
        if low < 0 or high > _MAX_VALUE:  # a clock glitch or an absurd value: clamp them
            pending = [min(max(ns, 0), _MAX_VALUE) for ns in pending]
            low, high = max(low, 0), min(high, _MAX_VALUE)
        counts = self._counts
        bucket_of = _BUCKET_OF
        for ns in pending:
            if ns < _TABLED:
                counts[bucket_of[ns]] += 1
            else:
                shift = ns.bit_length() - _SUB_BITS
                counts[(shift << _LINEAR_BITS) + (ns >> shift)] += 1
        self._count += len(pending)
        self._sum_ns += sum(pending)
        self._max_ns = max(self._max_ns, high)
        self._min_ns = min(self._min_ns, low)
        self._pending = []

    @property
    def count(self) -> int:
        self._fold()
        return self._count

    @property
    def sum_ns(self) -> int:
        self._fold()
        return self._sum_ns

    @property
    def max_ns(self) -> int:
        """The largest latency recorded (0 when empty)."""
        self._fold()
        return self._max_ns

    @property
    def min_ns(self) -> int:
        """The smallest latency recorded (0 when empty)."""
        self._fold()
        return self._min_ns if self._count else 0

    @property
    def mean_ns(self) -> float:
        count = self.count
        return self._sum_ns / count if count else 0.0

    def percentile(self, q: float) -> int:
        """The value at or below which ``q`` percent of the samples lie (0 when empty)."""
        return self.snapshot().percentile(q)

    def summary(self) -> LatencySummary:
        return self.snapshot().summary()

    def merge(self, other: LatencyHistogram) -> None:
        """Add every sample of ``other`` to this histogram."""
        if not other.count:  # folds ``other``
            return
        self._fold()
        counts = self._counts
        for index, n in enumerate(other._counts):
            if n:
                counts[index] += n
        self._count += other._count
        self._sum_ns += other._sum_ns
        self._max_ns = max(self._max_ns, other._max_ns)
        self._min_ns = min(self._min_ns, other._min_ns)

    def reset(self) -> None:
        self._counts = [0] * _BUCKETS
        self._pending = []
        self._count = 0
        self._sum_ns = 0
        self._max_ns = 0
        self._min_ns = _MAX_VALUE

    def bucket_counts(self) -> list[tuple[int, int]]:
        """``(upper_bound_ns, count)`` of every non-empty bucket, lowest first."""
        return self.snapshot().bucket_counts()

    def snapshot(self) -> LatencySnapshot:
        """A frozen copy, cheap enough for every screen refresh: one slice of the buckets
        between the smallest and the largest sample."""
        if not self.count:  # folds the buffered samples
            return LatencySnapshot(0, 0, 0, 0, 0, ())
        first = bucket_index(self._min_ns)
        counts = tuple(self._counts[first : bucket_index(self._max_ns) + 1])
        return LatencySnapshot(self._count, self._sum_ns, self._min_ns, self._max_ns, first, counts)


@dataclass(frozen=True, slots=True)
class LatencySnapshot:
    """A histogram as it was at one moment: what the store keeps and the console draws.

    ``counts[i]`` is the count of bucket ``first_bucket + i``: the buckets from the smallest
    sample's to the largest's. Percentiles come out exactly as the live histogram's would.
    """

    count: int
    sum_ns: int
    min_ns: int
    max_ns: int
    first_bucket: int
    counts: tuple[int, ...]

    @property
    def mean_ns(self) -> float:
        return self.sum_ns / self.count if self.count else 0.0

    def bucket_counts(self) -> list[tuple[int, int]]:
        """``(upper_bound_ns, count)`` of every non-empty bucket, lowest first."""
        return [
            (bucket_bounds(index)[1], n)
            for index, n in enumerate(self.counts, self.first_bucket)
            if n
        ]

    def percentile(self, q: float) -> int:
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

    def octaves(self) -> tuple[tuple[int, int], ...]:
        """Counts per power of two, ``(upper_bound_ns, count)`` from the smallest sample's
        octave to the largest's, empty ones included: a histogram small enough for a sidebar."""
        if not self.count:
            return ()
        totals: dict[int, int] = {}
        for index, n in enumerate(self.counts, self.first_bucket):
            if n:
                bits = bucket_bounds(index)[1].bit_length()
                totals[bits] = totals.get(bits, 0) + n
        low, high = self.min_ns.bit_length(), self.max_ns.bit_length()
        return tuple(((1 << bits) - 1, totals.get(bits, 0)) for bits in range(low, high + 1))

    def _percentiles(self, qs: tuple[float, ...]) -> list[int]:
        """Nearest rank; a percentile is the middle of its bucket, clamped to the largest sample."""
        for q in qs:
            if not 0.0 <= q <= 100.0:
                raise ValueError(f"percentile must be within 0..100, got {q}")
        if not self.count:
            return [0] * len(qs)
        running = list(accumulate(self.counts))
        answers = []
        for q in qs:
            rank = max(1, math.ceil(q / 100.0 * self.count))  # 1-based
            low, high = bucket_bounds(self.first_bucket + bisect_left(running, rank))
            answers.append(min((low + high) // 2, self.max_ns))
        return answers
