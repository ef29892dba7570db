"""One product's L2 order book, kept in sequence from a snapshot and its deltas.

The book is on the hot path (every venue frame lands here), so it holds floats exactly as the
venue sent them, keeps each side as a sorted key list plus a ``price -> size`` dict, and keeps the
sum of sizes over the top ``depth`` levels incrementally: applying a level change costs one dict
operation, at most one ``bisect`` and a couple of float additions, never a sort or a re-sum.

Sequencing is one rule for both venues. A delta covers venue sequence numbers
``first_seq..last_seq`` (Kraken Futures: one number per message; Binance.us: ``U..u``):

* while the book is SYNCING (before the first snapshot, after a gap, a crossed book or a reset)
  deltas are buffered, oldest dropped and counted beyond ``max_buffered``;
* ``apply_snapshot`` replaces every level, then replays the buffer through the rule below;
* on a LIVE or STALE book a delta with ``last_seq <= seq`` is a duplicate (dropped, counted); the
  first delta after a snapshot must straddle it (``first_seq <= seq + 1``), every later one must
  follow on exactly (``first_seq == seq + 1``); anything else is a GAP;
* a GAP or a book whose best bid reaches its best ask (CROSSED) turns the book SYNCING. The engine
  then asks the adapter to resync that product; the book itself knows nothing of adapters.

A delta that reveals a gap is kept as the first entry of the new buffer: it is newer than anything
applied, so the next snapshot may still bridge it (Binance.us: ``U <= lastUpdateId + 1 <= u``).
A crossed snapshot keeps the buffer for the same reason; a crossed delta empties it.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator
from enum import Enum

from core.enums import BookState, Side
from core.events import BookDelta, BookSnapshot, Level, level_delta

_LIVE = BookState.LIVE
_SYNCING = BookState.SYNCING
_STALE = BookState.STALE

# Incremental float sums pick up rounding error (worst after cancelling a huge level); an exact
# re-sum of the top levels every this many changes keeps the drift bounded. Counting down from at
# most 256 keeps the counter among CPython's cached small ints: no int is allocated per change.
_RESUM_EVERY = 256


class ApplyOutcome(Enum):
    """What became of a snapshot or delta handed to the book."""

    APPLIED = "applied"
    BUFFERED = "buffered"  # book SYNCING: kept for replay after the next snapshot
    DUPLICATE = "duplicate"  # already covered by the book's sequence: dropped
    GAP = "gap"  # sequence broken: book SYNCING, resync needed
    CROSSED = "crossed"  # best bid >= best ask after applying: book SYNCING, resync needed


# Enum attribute access costs ~100 ns on CPython 3.11; the hot path uses these module constants.
APPLIED = ApplyOutcome.APPLIED
BUFFERED = ApplyOutcome.BUFFERED
DUPLICATE = ApplyOutcome.DUPLICATE
GAP = ApplyOutcome.GAP
CROSSED = ApplyOutcome.CROSSED


def touch_spread_bps(best_bid: float, best_ask: float) -> float:
    """(ask - bid) / mid in basis points."""
    return (best_ask - best_bid) / (best_ask + best_bid) * 20_000.0


class BookCounters:
    """Running counts of what the book refused, kept here only; plain ints, read at display rate.

    ``superseded`` are the duplicates met while replaying the buffer onto a snapshot: deltas the
    snapshot already covered, which is how a Binance.us book is bridged at every (re)sync, not a
    venue fault. ``duplicates`` counts them too; a venue that repeats itself shows in the rest.
    """

    __slots__ = ("buffer_overflows", "crosses", "duplicates", "gaps", "superseded")

    def __init__(self) -> None:
        self.duplicates = 0
        self.superseded = 0
        self.gaps = 0
        self.crosses = 0
        self.buffer_overflows = 0

    @property
    def repeated(self) -> int:
        """Duplicates the venue sent on a book in sequence (the superseded ones left out)."""
        return self.duplicates - self.superseded

    def __repr__(self) -> str:
        return (
            f"BookCounters(duplicates={self.duplicates}, superseded={self.superseded}, "
            f"gaps={self.gaps}, crosses={self.crosses}, buffer_overflows={self.buffer_overflows})"
        )


class _BookSide:
    """One side of a book: ``keys`` sorted ascending with the BEST LEVEL LAST.

    Keys are bid prices, or negated ask prices, so a larger key is always a better level. Most
    changes happen near the top of the book, and with the best level at the end of the list an
    insert or delete there moves a handful of pointers instead of the whole list.
    """

    __slots__ = ("depth", "keys", "sizes", "top_sum", "until_resum")

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.keys: list[float] = []
        self.sizes: dict[float, float] = {}
        self.top_sum = 0.0
        self.until_resum = _RESUM_EVERY  # changes left before the next exact re-sum

    def replace(self, levels: dict[float, float]) -> None:
        self.sizes = levels
        self.keys = sorted(levels)
        self.resum()

    def clear(self) -> None:
        self.keys = []
        self.sizes = {}
        self.top_sum = 0.0

    def resum(self) -> None:
        sizes = self.sizes
        self.top_sum = sum([sizes[k] for k in self.keys[-self.depth :]])

    def set(self, key: float, size: float) -> None:
        """Set the absolute size at ``key``; a size of 0 (or less) deletes the level."""
        sizes = self.sizes
        old = sizes.get(key)
        keys = self.keys
        n = len(keys)
        edge_i = n - self.depth  # index of the N-th best level when n >= depth
        if size > 0.0:
            sizes[key] = size
            if old is not None:  # size change: in the top N iff at or above the N-th level
                if edge_i <= 0 or key >= keys[edge_i]:
                    self.top_sum += size - old
            elif edge_i < 0:  # room left in the top N
                self.top_sum += size
                insort(keys, key)
            else:
                edge = keys[edge_i]
                if key > edge:  # enters the top N and pushes the N-th level out
                    self.top_sum += size - sizes[edge]
                    insort(keys, key, edge_i)
                else:
                    insort(keys, key, 0, edge_i)
        elif old is not None:
            del sizes[key]
            if edge_i <= 0:
                self.top_sum -= old
                del keys[bisect_left(keys, key)]
            elif key >= keys[edge_i]:  # leaves the top N; the (N+1)-th level moves in
                self.top_sum += sizes[keys[edge_i - 1]] - old
                del keys[bisect_left(keys, key, edge_i)]
            else:
                del keys[bisect_left(keys, key, 0, edge_i)]
            if n == 1:
                self.top_sum = 0.0
        else:
            return  # deleting an unknown level is normal (the venue sends it), nothing changed
        self.until_resum -= 1
        if not self.until_resum:
            self.until_resum = _RESUM_EVERY
            self.resum()


class OrderBook:
    """The L2 book of one product; ``state`` says whether decisions may be taken on it.

    ``best_bid``, ``best_ask`` (None when a side is empty), ``bid_depth_sum`` and
    ``ask_depth_sum`` (sizes over the top ``depth`` levels) are plain attributes refreshed by
    every change, because the engine reads all four on every frame; treat them as read-only.
    """

    __slots__ = (
        "_asks",
        "_bids",
        "_buffer",
        "_first_delta_pending",
        "ask_depth_sum",
        "best_ask",
        "best_bid",
        "bid_depth_sum",
        "counters",
        "depth",
        "last_recv_ns",
        "last_venue_ts_ns",
        "max_buffered",
        "product",
        "seq",
        "state",
        "syncing_reason",
    )

    def __init__(self, product: str, *, depth: int = 10, max_buffered: int = 10_000) -> None:
        if depth < 1:
            raise ValueError(f"book depth must be at least 1, got {depth}")
        if max_buffered < 1:
            raise ValueError(f"max_buffered must be at least 1, got {max_buffered}")
        self.product = product
        self.depth = depth
        self.max_buffered = max_buffered
        self.state = _SYNCING
        self.syncing_reason = "waiting for snapshot"
        self.seq = -1
        self.last_recv_ns = 0
        self.last_venue_ts_ns = 0
        self.counters = BookCounters()
        self.best_bid: float | None = None
        self.best_ask: float | None = None
        self.bid_depth_sum = 0.0
        self.ask_depth_sum = 0.0
        self._bids = _BookSide(depth)
        self._asks = _BookSide(depth)
        self._buffer: deque[BookDelta] = deque()
        self._first_delta_pending = False

    # -- feeding the book --------------------------------------------------------------------

    def apply_snapshot(self, snapshot: BookSnapshot) -> ApplyOutcome:
        """Replace every level, then replay buffered deltas. APPLIED, GAP or CROSSED."""
        self._bids.replace({p: s for p, s in snapshot.bids if s > 0.0})
        self._asks.replace({-p: s for p, s in snapshot.asks if s > 0.0})
        self.seq = snapshot.seq
        self.last_recv_ns = snapshot.recv_ns
        self.last_venue_ts_ns = snapshot.venue_ts_ns
        self._refresh_touch()
        best_bid, best_ask = self.best_bid, self.best_ask
        if best_bid is not None and best_ask is not None and best_bid >= best_ask:
            self.counters.crosses += 1
            self.state = _SYNCING  # the buffer is kept: it may still fit the next snapshot
            self.syncing_reason = "crossed snapshot"
            self._first_delta_pending = False
            return CROSSED
        self.state = _LIVE
        self.syncing_reason = ""
        self._first_delta_pending = True
        pending = list(self._buffer)
        self._buffer.clear()
        outcome = APPLIED
        for delta in pending:  # once a replayed delta breaks the book, the rest are re-buffered
            result = self.apply_delta(delta)
            if result is DUPLICATE:
                self.counters.superseded += 1
            elif result is GAP or result is CROSSED:
                outcome = result
        self.last_recv_ns = max(self.last_recv_ns, snapshot.recv_ns)
        return outcome

    def apply_delta(self, delta: BookDelta) -> ApplyOutcome:
        """Apply, buffer or refuse one delta according to the sequencing rule (module doc)."""
        if self.state is _SYNCING:
            buffer = self._buffer
            if len(buffer) >= self.max_buffered:
                buffer.popleft()
                self.counters.buffer_overflows += 1
            buffer.append(delta)
            return BUFFERED
        seq = self.seq
        if delta.last_seq <= seq:
            self.counters.duplicates += 1
            return DUPLICATE
        if delta.first_seq != seq + 1 and not (
            self._first_delta_pending and delta.first_seq <= seq
        ):
            self.counters.gaps += 1
            self._desync(f"sequence gap: expected {seq + 1}, got {delta.first_seq}")
            self._buffer.append(delta)
            return GAP
        self._first_delta_pending = False
        # Only a side the delta touched is refreshed: a Kraken delta changes exactly one.
        levels = delta.bids
        if levels:
            side = self._bids
            for price, size in levels:
                side.set(price, size)
            self.bid_depth_sum = side.top_sum
            keys = side.keys
            self.best_bid = keys[-1] if keys else None
        levels = delta.asks
        if levels:
            side = self._asks
            for price, size in levels:
                side.set(-price, size)
            self.ask_depth_sum = side.top_sum
            keys = side.keys
            self.best_ask = -keys[-1] if keys else None
        return self._applied(delta.last_seq, delta.venue_ts_ns, delta.recv_ns)

    def apply_level(  # noqa: PLR0917 - one level, positional: keywords cost ~10 ns each
        self, seq: int, bid: bool, price: float, size: float, venue_ts_ns: int, recv_ns: int
    ) -> ApplyOutcome:
        """``apply_delta`` of the one-level delta ``level_delta(product, seq, bid, …)``.

        A one-level delta applies only when it follows on exactly (``seq == self.seq + 1``) on a
        LIVE or STALE book; that case, nearly every Kraken frame, is done here without building
        the delta. Every other case goes through ``apply_delta``.
        """
        if seq != self.seq + 1 or self.state is _SYNCING:
            delta = level_delta(self.product, seq, bid, price, size, venue_ts_ns, recv_ns)
            return self.apply_delta(delta)
        self._first_delta_pending = False
        if bid:
            side = self._bids
            side.set(price, size)
            self.bid_depth_sum = side.top_sum
            keys = side.keys
            self.best_bid = keys[-1] if keys else None
        else:
            side = self._asks
            side.set(-price, size)
            self.ask_depth_sum = side.top_sum
            keys = side.keys
            self.best_ask = -keys[-1] if keys else None
        return self._applied(seq, venue_ts_ns, recv_ns)

    def _applied(self, seq: int, venue_ts_ns: int, recv_ns: int) -> ApplyOutcome:
        """After an update's levels are set: the book is at ``seq`` and LIVE, unless it crossed."""
        self.seq = seq
        self.last_recv_ns = recv_ns
        self.last_venue_ts_ns = venue_ts_ns
        self.state = _LIVE
        best_bid = self.best_bid
        best_ask = self.best_ask
        if best_bid is not None and best_ask is not None and best_bid >= best_ask:
            self.counters.crosses += 1
            self._desync(f"crossed book: bid {best_bid} >= ask {best_ask}")
            return CROSSED
        return APPLIED

    def reset(self, reason: str) -> None:
        """Forget every level and the buffer (e.g. on disconnect); wait for a fresh snapshot."""
        self._bids.clear()
        self._asks.clear()
        self._buffer.clear()
        self._refresh_touch()
        self.seq = -1
        self.state = _SYNCING
        self.syncing_reason = reason
        self._first_delta_pending = False

    def mark_stale(self) -> None:
        """LIVE -> STALE; the engine's watchdog decides when. A fresh delta makes it LIVE again."""
        if self.state is _LIVE:
            self.state = _STALE

    def _desync(self, reason: str) -> None:
        # Levels are kept so the UI can still show the last picture; the buffer starts over.
        self.state = _SYNCING
        self.syncing_reason = reason
        self._buffer.clear()
        self._first_delta_pending = False

    def _refresh_touch(self) -> None:
        bids, asks = self._bids, self._asks
        self.best_bid = bids.keys[-1] if bids.keys else None
        self.best_ask = -asks.keys[-1] if asks.keys else None
        self.bid_depth_sum = bids.top_sum
        self.ask_depth_sum = asks.top_sum

    # -- reading the book --------------------------------------------------------------------

    @property
    def mid(self) -> float | None:
        bid, ask = self.best_bid, self.best_ask
        if bid is None or ask is None:
            return None
        return (bid + ask) * 0.5

    @property
    def spread_bps(self) -> float | None:
        """(ask - bid) / mid in basis points; None when a side is empty."""
        bid, ask = self.best_bid, self.best_ask
        if bid is None or ask is None:
            return None
        return touch_spread_bps(bid, ask)

    @property
    def bid_count(self) -> int:
        return len(self._bids.keys)

    @property
    def ask_count(self) -> int:
        return len(self._asks.keys)

    @property
    def buffered(self) -> int:
        """Deltas waiting for the next snapshot."""
        return len(self._buffer)

    def top(self, n: int) -> tuple[list[Level], list[Level]]:
        """The best ``n`` levels of each side, best first, as (price, size). For display."""
        bid_sizes = self._bids.sizes
        ask_sizes = self._asks.sizes
        bids = [(k, bid_sizes[k]) for k in reversed(self._bids.keys[-n:])] if n > 0 else []
        asks = [(-k, ask_sizes[k]) for k in reversed(self._asks.keys[-n:])] if n > 0 else []
        return bids, asks

    def touch(self) -> tuple[float, float, float, float] | None:
        """(best bid, its size, best ask, its size); None when a side is empty. For signals."""
        bids, asks = self._bids, self._asks
        if not bids.keys or not asks.keys:
            return None
        bid, ask = bids.keys[-1], asks.keys[-1]
        return bid, bids.sizes[bid], -ask, asks.sizes[ask]

    def top_sizes(self, n: int) -> tuple[list[float], list[float]]:
        """The sizes of the best ``n`` levels of each side, best first. For signals."""
        bids, asks = self._bids, self._asks
        bid_sizes, ask_sizes = bids.sizes, asks.sizes
        return (
            [bid_sizes[k] for k in bids.keys[: -n - 1 : -1]],
            [ask_sizes[k] for k in asks.keys[: -n - 1 : -1]],
        )

    def levels_from_best(self, side: Side) -> Iterator[Level]:
        """Every level a market order of ``side`` would take, best first (asks for a BUY).

        The iterator reads the live book: consume it before the book changes.
        """
        if side is Side.BUY:
            sizes = self._asks.sizes
            return ((-k, sizes[k]) for k in reversed(self._asks.keys))
        sizes = self._bids.sizes
        return ((k, sizes[k]) for k in reversed(self._bids.keys))

    def __repr__(self) -> str:
        return (
            f"OrderBook({self.product!r}, state={self.state.value}, seq={self.seq}, "
            f"bid={self.best_bid}, ask={self.best_ask}, levels={self.bid_count}/{self.ask_count})"
        )
