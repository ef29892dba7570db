"""Kraken Futures frames → core book events, with every bad frame counted, never raised.

``FrameParser`` owns no socket: it is fed raw frames (``bytes`` or ``str``) with the monotonic
time they arrived, so the live feed, a replay of recorded frames, a benchmark and a fuzzer all run
exactly the same code. Book frames go straight to the sink; control frames (``info``, acks,
errors) are handed back to the caller, which owns the connection state.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import msgspec

from brokers.kraken_futures.stats import DropReason, FeedStats
from brokers.kraken_futures.wire import (
    FEED_BOOK,
    FEED_BOOK_SNAPSHOT,
    FEED_HEARTBEAT,
    FRAME_DECODER,
    Frame,
    WireLevel,
)
from brokers.net.frame_drops import DROP_LOG_INTERVAL_NS, FrameDrops, excerpt
from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind, Level, level_delta
from core.ports import FeedSink

log = logging.getLogger(__name__)

NS_PER_MS = 1_000_000
_EMPTY: tuple[Level, ...] = ()
_INF = math.inf
_BUY = "buy"
_SELL = "sell"
_decode = FRAME_DECODER.decode


class InvalidFrame(Exception):
    """A frame whose content is impossible; carries the reason for the drop counter."""


def _levels(levels: list[WireLevel] | None, *, descending: bool) -> tuple[Level, ...]:
    """Snapshot levels as (price, size), best first; zero-size levels are skipped."""
    if not levels:
        return _EMPTY
    out: list[Level] = []
    for level in levels:
        price, qty = level.price, level.qty
        if not (0.0 < price < _INF) or not (0.0 <= qty < _INF):
            raise InvalidFrame(f"level price={price!r} qty={qty!r}")
        if qty > 0.0:
            out.append((price, qty))
    out.sort(reverse=descending)
    return tuple(out)


def _level_as_delta(on_delta: Callable[[BookDelta], None]) -> Callable[..., None]:
    def on_level(*level: Any) -> None:
        on_delta(level_delta(*level))

    return on_level


class FrameParser:
    """Turns raw Kraken Futures frames into ``BookSnapshot`` / ``BookDelta`` / ``FeedEvent``.

    ``parse`` never raises for anything the venue sends: malformed frames are counted in
    ``stats.dropped``, logged (rate-limited per kind) and reported to the sink as
    ``FeedEvent(DROPPED_FRAME)``; unknown feeds and events are counted in ``stats.unknown``.
    """

    __slots__ = ("_drops", "_on_level", "_products", "_sink", "stats")

    def __init__(
        self,
        sink: FeedSink,
        stats: FeedStats | None = None,
        *,
        drop_log_interval_ns: int = DROP_LOG_INTERVAL_NS,
    ) -> None:
        self._sink = sink
        # A sink that takes one level without a ``BookDelta`` built for it gets it so (the
        # engine: ``core.ports.LevelSink``); any other is handed the delta.
        on_level = getattr(sink, "on_level", None)
        self._on_level = on_level if on_level is not None else _level_as_delta(sink.on_delta)
        self.stats = stats if stats is not None else FeedStats()
        self._drops = FrameDrops(
            "Kraken Futures", log, self.stats, sink, interval_ns=drop_log_interval_ns
        )
        self._products: dict[str, str] = {}  # product id as sent -> upper case, interned

    def parse(self, raw: bytes | str, recv_ns: int) -> Frame | None:
        """Handle one frame. Returns the decoded frame if it is a control (``event``) frame."""
        stats = self.stats
        stats.frames += 1
        try:
            frame = _decode(raw)
        except msgspec.ValidationError as exc:
            self._drop(DropReason.BAD_SCHEMA, f"{exc}: {excerpt(raw)}", recv_ns)
            return None
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # bad UTF-8 in a string value
            self._drop(DropReason.INVALID_JSON, f"{exc}: {excerpt(raw)}", recv_ns)
            return None
        if frame.event:
            stats.events += 1
            return frame
        feed = frame.feed
        if feed == FEED_BOOK:
            # The hot path (one frame per level change), inlined: a valid delta costs no call but
            # the sink's. Anything odd falls through to ``_delta``, which says what is wrong.
            side = frame.side  # two string compares cost less than hashing it for a dict
            is_bid = side == _BUY
            price, qty, seq, pid = frame.price, frame.qty, frame.seq, frame.product_id
            if (
                (is_bid or side == _SELL)
                and pid
                and seq >= 0
                and 0.0 < price < _INF
                and 0.0 <= qty < _INF
            ):
                ts = frame.timestamp
                self._on_level(
                    self._products.get(pid) or self.product(pid),
                    seq,
                    is_bid,
                    price,
                    qty,
                    ts * NS_PER_MS if ts > 0 else 0,
                    recv_ns,
                )
                stats.deltas += 1
                return None
        try:
            if feed == FEED_BOOK:
                self._sink.on_delta(self._delta(frame, recv_ns))
                stats.deltas += 1
            elif feed == FEED_BOOK_SNAPSHOT:
                self._sink.on_snapshot(self._snapshot(frame, recv_ns))
                stats.snapshots += 1
            elif feed == FEED_HEARTBEAT:
                stats.heartbeats += 1
                self._sink.on_feed_event(
                    FeedEvent(FeedEventKind.HEARTBEAT, str(frame.time), recv_ns=recv_ns)
                )
            else:
                self.count_unknown(f"feed:{feed or '(none)'}")
        except InvalidFrame as exc:
            self._drop(DropReason.BAD_VALUE, f"{exc}: {excerpt(raw)}", recv_ns)
        return None

    def product(self, product_id: str) -> str:
        """The canonical (upper-case) id; the venue matches ids case-insensitively."""
        canonical = self._products.get(product_id)
        if canonical is None:
            canonical = self._products[product_id] = product_id.upper()
        return canonical

    def count_unknown(self, key: str) -> None:
        self._drops.unknown(key)

    def _delta(self, f: Frame, recv_ns: int) -> BookDelta:
        price, qty, seq, pid = f.price, f.qty, f.seq, f.product_id
        if not pid or seq < 0 or not (0.0 < price < _INF) or not (0.0 <= qty < _INF):
            raise InvalidFrame(f"book delta product_id={pid!r} seq={seq} price={price} qty={qty}")
        side = f.side
        if side == _BUY:
            bids, asks = ((price, qty),), _EMPTY
        elif side == _SELL:
            bids, asks = _EMPTY, ((price, qty),)
        else:
            raise InvalidFrame(f"book delta side={side!r}")
        ts = f.timestamp
        return BookDelta(
            self.product(pid),
            seq,
            seq,
            bids,
            asks,
            ts * NS_PER_MS if ts > 0 else 0,
            recv_ns,
        )

    def _snapshot(self, f: Frame, recv_ns: int) -> BookSnapshot:
        if not f.product_id or f.seq < 0:
            raise InvalidFrame(f"book snapshot product_id={f.product_id!r} seq={f.seq}")
        ts = f.timestamp
        return BookSnapshot(
            product=self.product(f.product_id),
            seq=f.seq,
            bids=_levels(f.bids, descending=True),
            asks=_levels(f.asks, descending=False),
            venue_ts_ns=ts * NS_PER_MS if ts > 0 else 0,
            recv_ns=recv_ns,
        )

    def _drop(self, reason: DropReason, detail: str, recv_ns: int) -> None:
        self._drops.drop(reason, detail, recv_ns)
