"""The order-book imbalance: how much more size is bid than offered near the touch."""

from __future__ import annotations

import math
from collections import deque

_INF = math.inf


def imbalance_ratio(bid_sum: float, ask_sum: float) -> float:
    """Bid size over ask size (top N levels). ``3.0`` = three times as much bid as ask.

    An empty side gives the extreme (``inf`` with no asks, ``0.0`` with no bids); an empty book
    is balanced (``1.0``), so it can never trigger an entry.
    """
    if ask_sum > 0.0:
        return bid_sum / ask_sum if bid_sum > 0.0 else 0.0
    return _INF if bid_sum > 0.0 else 1.0


def format_ratio(ratio: float) -> str:
    """``3.2x`` (one decimal); ``∞x`` when there is nothing on the ask side."""
    if ratio == _INF:
        return "∞x"
    return f"{ratio:.1f}x"


class ImbalanceHistory:
    """The last ``capacity`` ratios, oldest first, for the UI's sparkline. O(1) append."""

    __slots__ = ("_ratios",)

    def __init__(self, capacity: int = 120) -> None:
        if capacity < 1:
            raise ValueError(f"history capacity must be at least 1, got {capacity}")
        self._ratios: deque[float] = deque(maxlen=capacity)

    def append(self, ratio: float) -> None:
        self._ratios.append(ratio)

    @property
    def capacity(self) -> int:
        return self._ratios.maxlen or 0

    @property
    def last(self) -> float | None:
        return self._ratios[-1] if self._ratios else None

    def values(self) -> list[float]:
        return list(self._ratios)

    def __len__(self) -> int:
        return len(self._ratios)

    def clear(self) -> None:
        self._ratios.clear()
