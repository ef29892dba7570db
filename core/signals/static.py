"""Signals of the book as it stands: the guide's ratio, the touch's queues, the micro-price."""

from __future__ import annotations

from core.book import OrderBook
from core.signal import imbalance_ratio


class TopNRatio:
    """The guide's signal: top-N bid size over top-N ask size (N = the book's ``depth``).

    Reads the book's incremental depth sums: O(1) per update.
    """

    __slots__ = ()
    name = "ratio"

    def update(self, book: OrderBook) -> float:
        return imbalance_ratio(book.bid_depth_sum, book.ask_depth_sum)

    def reset(self) -> None:
        pass


class QueueImbalance:
    """Level-1 queue imbalance ``(bid1 - ask1) / (bid1 + ask1)`` in [-1, 1] (Gould & Bonart)."""

    __slots__ = ()
    name = "queue"

    def update(self, book: OrderBook) -> float:
        _, bid, _, ask = book.touch()  # type: ignore[misc]  # both sides present (BookSignal)
        return (bid - ask) / (bid + ask)

    def reset(self) -> None:
        pass


class WeightedImbalance:
    """Depth-weighted imbalance over the top ``levels`` levels, in [-1, 1].

    ``sum w_i (bid_i - ask_i) / sum w_i (bid_i + ask_i)`` with ``w_i = decay ** (i - 1)`` for the
    i-th best level of each side: the touch counts most. O(levels) per update, never the book.
    """

    __slots__ = ("_weights", "levels")
    name = "weighted"

    def __init__(self, levels: int = 5, decay: float = 0.5) -> None:
        if levels < 1 or not 0.0 < decay <= 1.0:
            raise ValueError("weighted imbalance needs levels >= 1 and 0 < decay <= 1")
        self.levels = levels
        self._weights = [decay**i for i in range(levels)]

    def update(self, book: OrderBook) -> float:
        bids, asks = book.top_sizes(self.levels)
        weights = self._weights
        bid = sum([w * size for w, size in zip(weights, bids, strict=False)])
        ask = sum([w * size for w, size in zip(weights, asks, strict=False)])
        return (bid - ask) / (bid + ask)

    def reset(self) -> None:
        pass


class MicroPriceOffset:
    """The micro-price's distance from the mid, in bps (positive: the fair price is above mid).

    The micro-price here is Stoikov's first-order form, the queue-weighted mid
    ``(bid1_size * ask + ask1_size * bid) / (bid1_size + ask1_size)``; his full estimator (a
    Markov chain fitted on spread and imbalance states) needs a fit over history first.
    """

    __slots__ = ()
    name = "microprice"

    def update(self, book: OrderBook) -> float:
        bid, bid_size, ask, ask_size = book.touch()  # type: ignore[misc]  # both sides present
        micro = (bid_size * ask + ask_size * bid) / (bid_size + ask_size)
        mid = (bid + ask) * 0.5
        return (micro - mid) / mid * 10_000.0

    def reset(self) -> None:
        pass
