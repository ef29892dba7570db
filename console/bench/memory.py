"""Resident memory of this process: now, and the peak so far (Linux ``/proc``, else rusage)."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")
MB = 1024 * 1024


def _status_kb(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_mb() -> float | None:
    """Resident set size now (None where ``/proc`` is missing)."""
    kb = _status_kb("VmRSS:")
    return None if kb is None else kb / 1024


def peak_rss_mb() -> float:
    """The largest resident set size this process has had."""
    kb = _status_kb("VmHWM:")
    if kb is not None:
        return kb / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


class RssSampler:
    """Samples the RSS at a fixed interval; ``growth_pct`` compares the last sample with the
    first (taken when sampling starts, after any warm-up)."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    def sample(self) -> None:
        value = rss_mb()
        if value is not None:
            self.samples.append(value)

    @property
    def growth_pct(self) -> float | None:
        if len(self.samples) < 2 or self.samples[0] <= 0:
            return None
        return (self.samples[-1] - self.samples[0]) / self.samples[0] * 100.0
