"""What the mid did next: each update's outcome over a horizon, and disjoint cases.

A horizon is counted in mid changes (the k-th change of the mid after the update) or in
seconds of the recording's clock (the mid standing ``s`` seconds after the update). An update
whose horizon runs past the end of its recording has no outcome.

Neighbouring updates share their future, so counting every update as a case would count the
same mid move hundreds of times and make every interval far too narrow. ``disjoint_cases``
takes, within each bucket, an update only once the previous case's horizon is over: the cases
of a bucket cover disjoint stretches of the mid's path, which is what the intervals assume.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from console.study.series import Series


class HorizonUnit(Enum):
    CHANGES = "changes"
    SECONDS = "s"


@dataclass(frozen=True, slots=True)
class Horizon:
    count: int
    unit: HorizonUnit

    @property
    def label(self) -> str:
        if self.unit is HorizonUnit.SECONDS:
            return f"{self.count}s"
        return f"{self.count} chg"

    @property
    def key(self) -> str:
        """The machine-readable name (JSON, CSV): ``5_changes``, ``30_s``."""
        return f"{self.count}_{self.unit.value}"


DEFAULT_HORIZONS = (
    *(Horizon(k, HorizonUnit.CHANGES) for k in (1, 2, 5, 10)),
    *(Horizon(s, HorizonUnit.SECONDS) for s in (1, 5, 30, 60)),
)


def parse_horizon(text: str) -> Horizon:
    """``5`` or ``5chg`` = five mid changes; ``30s`` = thirty seconds."""
    raw = text.strip().lower()
    unit = HorizonUnit.CHANGES
    if raw.endswith("s"):
        raw, unit = raw[:-1], HorizonUnit.SECONDS
    elif raw.endswith("chg"):
        raw = raw[:-3]
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(
            f"bad horizon {text!r}: use a whole number of mid changes (5) or seconds (30s)"
        )
    return Horizon(int(raw), unit)


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Per update: the index where its horizon ends (-1: none) and the mid's move there in bps."""

    ends: array
    moves_bps: array


def outcomes(series: Series, horizon: Horizon) -> Outcomes:
    n = len(series)
    mids = series.mids
    ends = array("q", [-1]) * n
    moves = array("d", [0.0]) * n
    if horizon.unit is HorizonUnit.CHANGES:
        changes = [j for j in range(1, n) if mids[j] != mids[j - 1]]
        k = horizon.count
        pointer = 0  # first change strictly after update i
        for i in range(n):
            while pointer < len(changes) and changes[pointer] <= i:
                pointer += 1
            if pointer + k - 1 >= len(changes):
                break
            ends[i] = changes[pointer + k - 1]
    else:
        times = series.recv_ns
        span = horizon.count * 1_000_000_000
        j = 0  # the last update at or before t_i + span
        for i in range(n):
            due = times[i] + span
            while j + 1 < n and times[j + 1] <= due:
                j += 1
            if j + 1 >= n:  # nothing recorded after the horizon: the recording ended first
                break
            ends[i] = max(j, i)
    for i in range(n):
        end = ends[i]
        if end >= 0:
            moves[i] = (mids[end] - mids[i]) / mids[i] * 10_000.0
    return Outcomes(ends, moves)


def disjoint_cases(buckets: Sequence[int], result: Outcomes, bucket_count: int) -> list[list[int]]:
    """Per bucket, the updates taken as cases (ascending); bucket -1 is no bucket."""
    free_from = [0] * bucket_count
    taken: list[list[int]] = [[] for _ in range(bucket_count)]
    ends = result.ends
    for i, bucket in enumerate(buckets):
        if bucket < 0 or i < free_from[bucket]:
            continue
        end = ends[i]
        if end < 0:
            continue
        taken[bucket].append(i)
        free_from[bucket] = end
    return taken
