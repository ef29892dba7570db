"""A deliberately naive order book: dicts, full sorts, full sums. The fast book must agree.

It restates the sequencing rule from ``core.book``'s docstring as plainly as possible, so a
property test can run both on the same random stream (Kraken single-seq messages and Binance.us
``U..u`` ranges alike) and compare state, sequence, every level and the top-N sums.
"""

from __future__ import annotations

from core.book import ApplyOutcome
from core.enums import BookState
from core.events import BookDelta, BookSnapshot, Level


class ReferenceBook:
    def __init__(self, depth: int, max_buffered: int) -> None:
        self.depth = depth
        self.max_buffered = max_buffered
        self.bids: dict[float, float] = {}
        self.asks: dict[float, float] = {}
        self.state = BookState.SYNCING
        self.seq = -1
        self.expect_first_delta = False
        self.buffer: list[BookDelta] = []
        self.duplicates = self.gaps = self.crosses = self.overflows = 0

    def levels(self) -> tuple[list[Level], list[Level]]:
        bids = sorted(self.bids.items(), key=lambda level: -level[0])
        asks = sorted(self.asks.items())
        return bids, asks

    def sums(self) -> tuple[float, float]:
        bids, asks = self.levels()
        return (
            sum(size for _, size in bids[: self.depth]),
            sum(size for _, size in asks[: self.depth]),
        )

    def crossed(self) -> bool:
        return bool(self.bids and self.asks and max(self.bids) >= min(self.asks))

    def snapshot(self, snap: BookSnapshot) -> ApplyOutcome:
        self.bids = {price: size for price, size in snap.bids if size > 0}
        self.asks = {price: size for price, size in snap.asks if size > 0}
        self.seq = snap.seq
        self.expect_first_delta = False
        if self.crossed():
            self.crosses += 1
            self.state = BookState.SYNCING
            return ApplyOutcome.CROSSED
        self.state = BookState.LIVE
        self.expect_first_delta = True
        pending, self.buffer = self.buffer, []
        worst = ApplyOutcome.APPLIED
        for delta in pending:
            outcome = self.delta(delta)
            if outcome in (ApplyOutcome.GAP, ApplyOutcome.CROSSED):
                worst = outcome
        return worst

    def delta(self, delta: BookDelta) -> ApplyOutcome:
        if self.state is BookState.SYNCING:
            self.buffer.append(delta)
            if len(self.buffer) > self.max_buffered:
                self.buffer.pop(0)
                self.overflows += 1
            return ApplyOutcome.BUFFERED
        if delta.last_seq <= self.seq:
            self.duplicates += 1
            return ApplyOutcome.DUPLICATE
        if self.expect_first_delta:
            in_sequence = delta.first_seq <= self.seq + 1
        else:
            in_sequence = delta.first_seq == self.seq + 1
        if not in_sequence:
            self.gaps += 1
            self.state = BookState.SYNCING
            self.expect_first_delta = False
            self.buffer = [delta]
            return ApplyOutcome.GAP
        self.expect_first_delta = False
        for side, levels in ((self.bids, delta.bids), (self.asks, delta.asks)):
            for price, size in levels:
                if size > 0:
                    side[price] = size
                else:
                    side.pop(price, None)
        self.seq = delta.last_seq
        self.state = BookState.LIVE
        if self.crossed():
            self.crosses += 1
            self.state = BookState.SYNCING
            self.buffer = []
            return ApplyOutcome.CROSSED
        return ApplyOutcome.APPLIED

    def reset(self) -> None:
        self.bids, self.asks, self.buffer = {}, {}, []
        self.seq = -1
        self.state = BookState.SYNCING
        self.expect_first_delta = False

    def mark_stale(self) -> None:
        if self.state is BookState.LIVE:
            self.state = BookState.STALE
