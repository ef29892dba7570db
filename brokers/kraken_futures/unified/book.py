"""One symbol's book as the Unified adapter keeps it to verify the venue's checksum.

The venue sends levels at its depth and never deletes the ones that fall below it: after each
message the client truncates to the subscribed depth (docs, "Book checksum (v2)"). The checksum is
then taken over the top 10 at the instrument's precision. ``apply`` returns the prices truncation
removed so the core book, which keeps every level it is given, can delete them too.
"""

from __future__ import annotations

from heapq import nlargest, nsmallest

from brokers.kraken_futures.unified.checksum import CHECKSUM_LEVELS, book_checksum
from core.events import Level


class ChecksumBook:
    """Levels (float price → float qty) at ``depth``, and the checksum of their top 10."""

    __slots__ = ("asks", "bids", "depth", "price_precision", "qty_precision")

    def __init__(self, depth: int, price_precision: int, qty_precision: int) -> None:
        self.depth = depth
        self.price_precision = price_precision
        self.qty_precision = qty_precision
        self.bids: dict[float, float] = {}
        self.asks: dict[float, float] = {}

    def replace(self, bids: list[Level], asks: list[Level]) -> None:
        self.bids = {p: q for p, q in bids if q > 0.0}
        self.asks = {p: q for p, q in asks if q > 0.0}
        self._truncate()

    def apply(self, bids: list[Level], asks: list[Level]) -> tuple[list[float], list[float]]:
        """Apply the levels in order (qty 0 deletes), truncate; the (bid, ask) prices cut off."""
        for side, levels in ((self.bids, bids), (self.asks, asks)):
            for price, qty in levels:
                if qty > 0.0:
                    side[price] = qty
                else:
                    side.pop(price, None)
        return self._truncate()

    def _truncate(self) -> tuple[list[float], list[float]]:
        cut_bids: list[float] = []
        cut_asks: list[float] = []
        if len(self.bids) > self.depth:
            keep = set(nlargest(self.depth, self.bids))
            cut_bids = [p for p in self.bids if p not in keep]
            for p in cut_bids:
                del self.bids[p]
        if len(self.asks) > self.depth:
            keep = set(nsmallest(self.depth, self.asks))
            cut_asks = [p for p in self.asks if p not in keep]
            for p in cut_asks:
                del self.asks[p]
        return cut_bids, cut_asks

    def sorted_levels(self) -> tuple[tuple[Level, ...], tuple[Level, ...]]:
        """(bids best first, asks best first), every level held."""
        bids = tuple((p, self.bids[p]) for p in sorted(self.bids, reverse=True))
        asks = tuple((p, self.asks[p]) for p in sorted(self.asks))
        return bids, asks

    def checksum(self) -> int:
        bids = [(p, self.bids[p]) for p in nlargest(CHECKSUM_LEVELS, self.bids)]
        asks = [(p, self.asks[p]) for p in nsmallest(CHECKSUM_LEVELS, self.asks)]
        return book_checksum(asks, bids, self.price_precision, self.qty_precision)
