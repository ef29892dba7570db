"""Order-flow imbalance: the signed change of the queues at the touch, summed over a window.

Cont, Kukanov & Stoikov ("The price impact of order book events"): for each book update n,

    e_n = [P_b >= P_b'] q_b - [P_b <= P_b'] q_b' - [P_a <= P_a'] q_a + [P_a >= P_a'] q_a'

(primes: before the update). Bids added or a bid price improving count as buying pressure,
asks added or an ask improving as selling pressure. OFI is the sum of e_n over the last
``window`` updates, normalised by the mean depth at the touch over the same updates, so it
reads the same on thin and thick markets. The multi-level form (Xu, Gould & Howison) takes the
same e_n at each of the best ``levels`` levels and sums them, normalised by the mean depth over
those levels. Each update costs O(levels) reads at the touch and O(1) window arithmetic.
"""

from __future__ import annotations

from core.book import OrderBook
from core.events import Level
from core.signals.base import WindowSum


def flow_at(bid: Level, ask: Level, before_bid: Level | None, before_ask: Level | None) -> float:
    """``e_n`` of one level from its (price, size) before and after the update."""
    if before_bid is None or before_ask is None:
        return 0.0
    (pb, qb), (pa, qa) = bid, ask
    (pb0, qb0), (pa0, qa0) = before_bid, before_ask
    flow = 0.0
    if pb >= pb0:
        flow += qb
    if pb <= pb0:
        flow -= qb0
    if pa <= pa0:
        flow -= qa
    if pa >= pa0:
        flow += qa0
    return flow


class OrderFlowImbalance:
    """Cont–Kukanov–Stoikov OFI at the touch over the last ``window`` updates, depth-normalised."""

    __slots__ = ("_before", "_depth", "_flow")
    name = "ofi"

    def __init__(self, window: int = 50) -> None:
        self._flow = WindowSum(window)
        self._depth = WindowSum(window)
        self._before: tuple[float, float, float, float] | None = None

    def update(self, book: OrderBook) -> float:
        pb, qb, pa, qa = book.touch()  # type: ignore[misc]  # both sides present (BookSignal)
        before = self._before
        flow = 0.0
        if before is not None:  # flow_at, inlined: this one is meant for the hot path
            pb0, qb0, pa0, qa0 = before
            if pb >= pb0:
                flow += qb
            if pb <= pb0:
                flow -= qb0
            if pa <= pa0:
                flow -= qa
            if pa >= pa0:
                flow += qa0
        self._before = (pb, qb, pa, qa)
        total = self._flow.push(flow)
        depth = self._depth.push((qb + qa) * 0.5)
        return total * len(self._depth) / depth

    def reset(self) -> None:
        self._flow.clear()
        self._depth.clear()
        self._before = None


class MultiLevelOrderFlowImbalance:
    """OFI summed over the best ``levels`` levels (Xu, Gould & Howison), depth-normalised.

    Level m of each side is the m-th best price; a side shorter than ``levels`` counts only the
    levels it has.
    """

    __slots__ = ("_before", "_depth", "_flow", "levels")
    name = "mlofi"

    def __init__(self, levels: int = 5, window: int = 50) -> None:
        if levels < 1:
            raise ValueError(f"multi-level OFI needs at least one level, got {levels}")
        self.levels = levels
        self._flow = WindowSum(window)
        self._depth = WindowSum(window)
        self._before: tuple[list[Level], list[Level]] | None = None

    def update(self, book: OrderBook) -> float:
        bids, asks = book.top(self.levels)
        before = self._before
        flow = 0.0
        if before is not None:
            before_bids, before_asks = before
            for m in range(min(len(bids), len(asks), len(before_bids), len(before_asks))):
                flow += flow_at(bids[m], asks[m], before_bids[m], before_asks[m])
        self._before = (bids, asks)
        depth = sum([level[1] for level in bids]) + sum([level[1] for level in asks])
        total = self._flow.push(flow)
        mean_depth = self._depth.push(depth * 0.5)
        return total * len(self._depth) / mean_depth

    def reset(self) -> None:
        self._flow.clear()
        self._depth.clear()
        self._before = None
