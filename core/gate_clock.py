"""The gate clock: how much time a session was actually running.

"Days running" counts only time covered by runs. A run covers ``[started, ended]``; a run that
never recorded its end (``kill -9``, power loss) covers up to the last moment it was known alive.
Overlapping runs are counted once; the time between runs is listed as gaps, not counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

NS_PER_SECOND = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_SECOND


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of wall-clock time, Unix-epoch nanoseconds, ``start_ns <= end_ns``."""

    start_ns: int
    end_ns: int

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns

    def overlap_ns(self, other: Span) -> int:
        return max(0, min(self.end_ns, other.end_ns) - max(self.start_ns, other.start_ns))


@dataclass(frozen=True, slots=True)
class Coverage:
    """Covered time, the gaps between runs, and the calendar span from first start to last end."""

    covered: tuple[Span, ...]  # merged, in time order, non-overlapping
    gaps: tuple[Span, ...]

    @property
    def covered_ns(self) -> int:
        return sum(span.duration_ns for span in self.covered)

    @property
    def days(self) -> Decimal:
        return Decimal(self.covered_ns) / NS_PER_DAY

    @property
    def calendar_span(self) -> Span | None:
        if not self.covered:
            return None
        return Span(self.covered[0].start_ns, self.covered[-1].end_ns)

    @property
    def calendar_days(self) -> Decimal:
        span = self.calendar_span
        return Decimal(span.duration_ns) / NS_PER_DAY if span else Decimal(0)

    def covered_within(self, window: Span) -> int:
        """Nanoseconds of ``window`` that runs covered (for per-day and per-week rows)."""
        return sum(span.overlap_ns(window) for span in self.covered)


def coverage(runs: Iterable[Span]) -> Coverage:
    """Merge run spans into covered time; empty or backwards spans (clock jumps) count nothing."""
    spans = sorted((s for s in runs if s.end_ns > s.start_ns), key=lambda s: s.start_ns)
    merged: list[Span] = []
    for span in spans:
        if merged and span.start_ns <= merged[-1].end_ns:
            last = merged[-1]
            merged[-1] = Span(last.start_ns, max(last.end_ns, span.end_ns))
        else:
            merged.append(span)
    gaps = tuple(Span(a.end_ns, b.start_ns) for a, b in pairwise(merged))
    return Coverage(covered=tuple(merged), gaps=gaps)
