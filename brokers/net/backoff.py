"""Waits between attempts: exponential, jittered, bounded, reset after things went well."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """How long to wait before trying again.

    The n-th consecutive failure waits ``initial_s * multiplier**(n-1)``, capped at ``max_s``,
    spread by ±``jitter`` (a fraction) so that many clients do not retry in lock step. A
    connection that stayed up for ``healthy_after_s`` (or an attempt that long after the last
    one) resets the sequence. Each venue picks its own numbers (see its feed).
    """

    initial_s: float = 0.5
    max_s: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.2
    healthy_after_s: float = 30.0

    def __post_init__(self) -> None:
        if not (0 < self.initial_s <= self.max_s) or self.multiplier < 1:
            raise ValueError("backoff needs 0 < initial_s <= max_s and multiplier >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("backoff jitter must be a fraction in [0, 1)")


class Backoff:
    """The running state of a ``BackoffPolicy``: ``next_delay()`` after each failure."""

    __slots__ = ("_failures", "_rng", "policy")

    def __init__(self, policy: BackoffPolicy, rng: random.Random | None = None) -> None:
        self.policy = policy
        self._rng = rng or random.Random()
        self._failures = 0

    @property
    def failures(self) -> int:
        return self._failures

    def next_delay(self) -> float:
        p = self.policy
        base = min(p.max_s, p.initial_s * p.multiplier ** min(self._failures, 64))
        self._failures += 1
        spread = base * p.jitter * self._rng.uniform(-1.0, 1.0)
        return max(0.0, min(p.max_s, base + spread))

    def reset(self) -> None:
        self._failures = 0
