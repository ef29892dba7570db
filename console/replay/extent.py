"""How long a recording is, in market time: read once, so a replay's progress can move.

The reader's byte count moves a megabyte of compressed data at a time (a short recording reads
100 % before its first frame plays); the market time of the last frame does not lie.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brokers.recording.sources import open_recording


@dataclass(frozen=True, slots=True)
class RecordingExtent:
    frames: int
    first_wall_ns: int
    last_wall_ns: int

    @property
    def length_ns(self) -> int:
        return max(0, self.last_wall_ns - self.first_wall_ns)


def scan_extent(path: Path, symbol: str | None = None) -> RecordingExtent:
    """Every frame's time, read with a reader of its own (blocking: run it in a thread)."""
    frames, first, last = 0, 0, 0
    for record in open_recording(path, symbol).records():
        if not frames:
            first = record.wall_ns
        last = record.wall_ns
        frames += 1
    return RecordingExtent(frames, first, last)
