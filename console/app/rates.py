"""Frames per second of the feed, measured on the engine's clock (so replays are exact)."""

from __future__ import annotations

from collections import deque

WINDOW_NS = 1_000_000_000


class FrameRate:
    """Book updates per second over about the last second of engine time.

    Fed with ``(wall_ns, frames)`` samples at display rate; until a second has passed the rate is
    the average since the engine started.
    """

    def __init__(self, started_wall_ns: int, window_ns: int = WINDOW_NS) -> None:
        self._window_ns = window_ns
        self._samples: deque[tuple[int, int]] = deque([(started_wall_ns, 0)])
        self.per_second: float | None = None

    def sample(self, wall_ns: int, frames: int) -> float | None:
        samples = self._samples
        if wall_ns > samples[-1][0]:
            samples.append((wall_ns, frames))
        # keep the newest sample that is at least one window old as the reference
        while len(samples) > 2 and wall_ns - samples[1][0] >= self._window_ns:
            samples.popleft()
        first_ns, first_frames = samples[0]
        elapsed_ns = wall_ns - first_ns
        if elapsed_ns > 0:
            self.per_second = (frames - first_frames) * 1e9 / elapsed_ns
        return self.per_second
