"""What every signal is, and the windowed running sum the order-flow signals share."""

from __future__ import annotations

import math
from collections import deque
from typing import Protocol

from core.book import OrderBook

# Incremental float sums drift (a huge value in, then out); an exact re-sum every this many
# updates keeps the drift bounded, as the book does for its depth sums.
_RESUM_EVERY = 4096


class BookSignal(Protocol):
    """One signal: ``update`` after every applied book update returns the new value.

    ``update`` is only called on a book with both sides present. ``reset`` forgets any state
    built from past updates (a new snapshot: the flow before it is not comparable).
    """

    name: str

    def update(self, book: OrderBook) -> float: ...

    def reset(self) -> None: ...


class WindowSum:
    """The sum of the last ``size`` values pushed, in O(1) per push."""

    __slots__ = ("_left", "_values", "total")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a window holds at least one value, got {size}")
        self._values: deque[float] = deque(maxlen=size)
        self.total = 0.0
        self._left = _RESUM_EVERY

    def push(self, value: float) -> float:
        values = self._values
        if len(values) == values.maxlen:
            self.total -= values[0]
        values.append(value)
        self.total += value
        self._left -= 1
        if not self._left:
            self._left = _RESUM_EVERY
            self.total = math.fsum(values)
        return self.total

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        self._values.clear()
        self.total = 0.0
