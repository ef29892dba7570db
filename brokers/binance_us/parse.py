"""Binance.us stream frames → core ``BookDelta``s, every bad frame counted, never raised.

``DepthParser`` owns no socket: it is fed raw frames with the monotonic time they arrived, so the
live feed, a replay, a benchmark and a fuzzer run the same code. Raw (``/ws/<stream>``) and
combined (``/stream?streams=…``, ``{"stream":…,"data":…}``) frames are both understood. Each
``depthUpdate`` becomes one ``BookDelta(first_seq=U, last_seq=u)`` — the core book does the
sequencing (buffer before the snapshot, ``U <= lastUpdateId+1 <= u``, then ``U == u+1``).
"""

from __future__ import annotations

import logging
import math

import msgspec

from brokers.binance_us.stats import DropReason, FeedStats
from brokers.binance_us.wire import DEPTH_UPDATE, STREAM_DECODER, DepthEvent, WireLevel
from brokers.net.frame_drops import FrameDrops, excerpt
from core.events import BookDelta, FeedEvent, FeedEventKind, Level
from core.ports import FeedSink

log = logging.getLogger(__name__)

NS_PER_MS = 1_000_000
_EMPTY: tuple[Level, ...] = ()
_INF = math.inf


class InvalidFrame(Exception):
    """A frame whose content is impossible."""


def _levels(levels: list[WireLevel] | None) -> tuple[Level, ...]:
    if not levels:
        return _EMPTY
    for price, qty in levels:
        if not (0.0 < price < _INF) or not (0.0 <= qty < _INF):
            raise InvalidFrame(f"level [{price}, {qty}]")
    return tuple(levels)


class DepthParser:
    """Turns raw frames into ``BookDelta``s for the sink; see the module docstring.

    ``parse`` returns the product of a delivered delta (so the feed knows the stream is
    flowing), else None. Malformed frames are counted in ``stats.dropped``, logged (at most once
    a minute per kind) and reported as ``FeedEvent(DROPPED_FRAME)``.
    """

    __slots__ = ("_drops", "_products", "_sink", "stats")

    def __init__(self, sink: FeedSink, stats: FeedStats | None = None) -> None:
        self._sink = sink
        self.stats = stats if stats is not None else FeedStats()
        self._products: dict[str, str] = {}
        self._drops = FrameDrops("Binance.us", log, self.stats, sink)

    def parse(self, raw: bytes | str, recv_ns: int) -> str | None:
        stats = self.stats
        stats.frames += 1
        try:
            frame = STREAM_DECODER.decode(raw)
        except msgspec.ValidationError as exc:
            self._drop(DropReason.BAD_SCHEMA, f"{exc}: {excerpt(raw)}", recv_ns)
            return None
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # bad UTF-8 in a string value
            self._drop(DropReason.INVALID_JSON, f"{exc}: {excerpt(raw)}", recv_ns)
            return None
        event: DepthEvent = frame.data if frame.data is not None else frame
        if event.e == DEPTH_UPDATE:
            try:
                delta = self._delta(event, recv_ns)
            except InvalidFrame as exc:
                self._drop(DropReason.BAD_VALUE, f"{exc}: {excerpt(raw)}", recv_ns)
                return None
            self._sink.on_delta(delta)
            stats.deltas += 1
            return delta.product
        if frame.code is not None:  # {"code":…, "msg":…}: the venue refused something we sent
            stats.venue_errors += 1
            detail = f"code {frame.code}: {frame.msg or 'no message'}"
            log.warning("Binance.us stream error: %s", detail)
            self._sink.on_feed_event(FeedEvent(FeedEventKind.VENUE_ERROR, detail, recv_ns=recv_ns))
        elif frame.id is not None:
            pass  # {"result":…,"id":…}: an answer to a request of ours
        else:
            self.count_unknown(f"event:{event.e or '(none)'}")
        return None

    def count_unknown(self, key: str) -> None:
        self._drops.unknown(key)

    def _delta(self, event: DepthEvent, recv_ns: int) -> BookDelta:
        first, last, symbol = event.U, event.u, event.s
        if not symbol or first < 0 or last < first:
            raise InvalidFrame(f"depthUpdate s={symbol!r} U={first} u={last}")
        product = self._products.get(symbol)
        if product is None:
            product = self._products[symbol] = symbol.upper()
        ts = event.E
        return BookDelta(
            product,
            first,
            last,
            _levels(event.b),
            _levels(event.a),
            ts * NS_PER_MS if ts > 0 else 0,
            recv_ns,
        )

    def _drop(self, reason: DropReason, detail: str, recv_ns: int) -> None:
        self._drops.drop(reason, detail, recv_ns)
