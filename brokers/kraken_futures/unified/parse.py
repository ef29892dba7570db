"""Unified public frames → core book events, every book message checked against its checksum.

A frame is first read by ``book_wire``'s typed decoder (a well-formed book message, checked in C:
nearly every frame); anything it refuses takes the general ``orjson`` path, which handles the
other channels and replies, and drops a malformed book message with its reason.

``UnifiedParser`` owns no socket (a replay or a bench can feed it). Per symbol it keeps a
``ChecksumBook`` at the subscribed depth, with the precisions from the ``instrument`` channel.
A verified snapshot or update goes to the sink as ``BookSnapshot``/``BookDelta`` (levels that
truncation cut off are sent as deletions, so the core book holds exactly the venue's depth). The
venue has no sequence numbers: the parser numbers each symbol's messages itself.

When the local book cannot be trusted (a checksum mismatch, a ``status`` other than ``online``)
the parser tells the sink with an empty delta that skips a number: the core book's own rule turns
it SYNCING (not LIVE, nothing enters) until the next snapshot. Then it asks the feed for a
resync (``on_resync``) and drops that symbol's updates until the snapshot. Each change of
``status`` also goes to the sink as a ``VENUE_STATUS`` event (the engine says why the books are
down). Method replies are handed back to the caller; nothing the venue sends raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import orjson

from brokers.kraken_futures.unified.book import ChecksumBook
from brokers.kraken_futures.unified.book_wire import (
    BookItem,
    WireLevel,
    decode_book,
)
from brokers.kraken_futures.unified.stats import UnifiedDrop, UnifiedFeedStats
from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind, level_delta
from core.ports import FeedSink

log = logging.getLogger(__name__)

ONLINE = "online"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_INF = float("inf")
KNOWN_SYSTEMS = frozenset({"online", "maintenance", "cancel_only", "post_only"})


class BadFrame(Exception):
    """A frame that is not the shape the docs give."""


def _ts_ns(text: Any) -> int:
    if not isinstance(text, str):
        return 0
    try:
        return (datetime.fromisoformat(text) - _EPOCH) // _MICROSECOND * 1_000
    except (ValueError, TypeError):  # TypeError: a time without its offset
        return 0


def _levels(raw: Any) -> list[WireLevel]:
    if not isinstance(raw, list):
        raise BadFrame("levels are not a list")
    out: list[WireLevel] = []
    for level in raw:
        try:
            price, qty = float(level["price"]), float(level["qty"])
        except (TypeError, KeyError, ValueError):
            raise BadFrame("a level without a numeric price and qty") from None
        if not (0.0 < price < _INF and 0.0 <= qty < _INF):  # NaN fails too
            raise BadFrame(f"impossible level price={price!r} qty={qty!r}")
        out.append(WireLevel(price, qty))
    return out


def _level_as_delta(on_delta: Callable[[BookDelta], None]) -> Callable[..., None]:
    def on_level(*level: Any) -> None:
        on_delta(level_delta(*level))

    return on_level


class UnifiedParser:
    """See the module docstring. ``depth`` is the subscribed book depth."""

    def __init__(
        self,
        sink: FeedSink,
        stats: UnifiedFeedStats,
        *,
        depth: int,
        on_resync: Callable[[str, str], None],
        on_status: Callable[[str], None],
    ) -> None:
        self._sink = sink
        # A sink that takes one level without a ``BookDelta`` built for it (``LevelSink``: the
        # engine) gets one-level updates so; any other is handed the delta.
        on_level = getattr(sink, "on_level", None)
        self._on_level = on_level if on_level is not None else _level_as_delta(sink.on_delta)
        self.stats = stats
        self._depth = depth
        self._on_resync = on_resync
        self._on_status = on_status
        self.precisions: dict[str, tuple[int, int]] = {}
        self.books: dict[str, ChecksumBook] = {}
        self._seq: dict[str, int] = {}
        self._awaiting_snapshot: set[str] = set()
        self.synced_at: dict[str, float] = {}  # symbol -> monotonic s of its last good snapshot
        self.system = ""

    def reset(self) -> None:
        """A new connection: nothing held is valid until its status and snapshots arrive."""
        self.books.clear()
        self._awaiting_snapshot.clear()
        self.system = ""

    @property
    def online(self) -> bool:
        return self.system == ONLINE

    def parse(self, raw: bytes | str, recv_ns: int) -> dict[str, Any] | None:
        """One frame; a method reply is returned to the caller, everything else is handled."""
        self.stats.frames += 1
        try:  # nearly every frame: a well-formed book message, decoded and checked in C
            message = decode_book(raw)
        except msgspec.MsgspecError:
            return self._parse_any(raw, recv_ns)
        data = message.data
        if not data:
            return self._parse_any(raw, recv_ns)  # it says what is wrong
        item = data[0]
        ts = item.timestamp  # ``venue_ns``, inlined
        venue_ts = (ts - _EPOCH) // _MICROSECOND * 1_000 if ts is not None else 0
        if message.type != "update" or self.system != ONLINE:
            try:
                self._on_book_item(message.type, item, venue_ts, recv_ns)
            except BadFrame as exc:
                self._drop(UnifiedDrop.BAD_SCHEMA, raw, recv_ns, str(exc))
            return None
        # The hot path: an update of one level, as most are, inlined to the book's one call.
        bids = item.bids
        symbol = item.symbol
        book = self.books.get(symbol)  # held only while no snapshot is awaited
        if book is None or len(bids) + len(item.asks) != 1:
            self._on_update(item, venue_ts, recv_ns)  # it counts the drop if no book
            return None
        bid = bool(bids)
        level = bids[0] if bid else item.asks[0]
        price, qty = level.price, level.qty
        checksum = book.set_level(bid, price, qty)
        self.stats.updates += 1
        if checksum != item.checksum:
            self._mismatch(symbol)
            return None
        seq = self._seq[symbol] = self._seq[symbol] + 1
        cut = book.cut
        if not cut:  # the sink takes the level without a BookDelta built
            self._on_level(symbol, seq, bid, price, qty, venue_ts, recv_ns)
            return None
        levels = ((price, qty), *((p, 0.0) for p in cut))
        self._sink.on_delta(
            BookDelta(
                symbol,
                seq,
                seq,
                levels if bid else (),
                () if bid else levels,
                venue_ts,
                recv_ns,
            )
        )
        return None

    def _parse_any(self, raw: bytes | str, recv_ns: int) -> dict[str, Any] | None:
        """Any frame, read as a JSON object (the general path: see ``book_wire``)."""
        try:
            message = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self._drop(UnifiedDrop.INVALID_JSON, raw, recv_ns)
            return None
        if not isinstance(message, dict):
            self._drop(UnifiedDrop.BAD_SCHEMA, raw, recv_ns)
            return None
        channel = message.get("channel")
        try:
            if channel == "book":
                self._on_book(message, recv_ns)
            elif channel == "heartbeat":
                self.stats.heartbeats += 1
                self._sink.on_feed_event(FeedEvent(FeedEventKind.HEARTBEAT, "", recv_ns=recv_ns))
            elif channel == "status":
                self._on_status_frame(message, recv_ns)
            elif channel == "instrument":
                self._on_instrument(message)
            elif channel is None and "method" in message:
                self.stats.replies += 1
                return message
            else:
                key = f"channel:{channel}"
                self.stats.unknown[key] = self.stats.unknown.get(key, 0) + 1
        except BadFrame as exc:
            self._drop(UnifiedDrop.BAD_SCHEMA, raw, recv_ns, str(exc))
        return None

    # --- book -------------------------------------------------------------------------------
    def _on_book(self, message: dict[str, Any], recv_ns: int) -> None:
        data = message.get("data")
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise BadFrame("book data is not a list of one object")
        raw_item = data[0]
        symbol = raw_item.get("symbol")
        checksum = raw_item.get("checksum")
        if not isinstance(symbol, str) or not isinstance(checksum, int):
            raise BadFrame("book item without symbol or checksum")
        item = BookItem(
            symbol=symbol,
            checksum=checksum,
            bids=_levels(raw_item.get("bids", [])),
            asks=_levels(raw_item.get("asks", [])),
        )
        self._on_book_item(message.get("type"), item, _ts_ns(raw_item.get("timestamp")), recv_ns)

    def _on_book_item(self, kind: Any, item: BookItem, venue_ns: int, recv_ns: int) -> None:
        if self.system != ONLINE:
            self._count(UnifiedDrop.NOT_ONLINE)
            return
        if kind == "update":
            self._on_update(item, venue_ns, recv_ns)
        elif kind == "snapshot":
            self._on_snapshot(item, venue_ns, recv_ns)
        else:
            raise BadFrame(f"book type {kind!r}")

    def _on_snapshot(self, item: BookItem, venue_ns: int, recv_ns: int) -> None:
        symbol = item.symbol
        precision = self.precisions.get(symbol)
        if precision is None:
            self._count(UnifiedDrop.NO_INSTRUMENT)
            self._on_resync(symbol, "no instrument precision yet")
            return
        book = ChecksumBook(self._depth, *precision)
        self.stats.snapshots += 1
        if book.replace(item.bids, item.asks) != item.checksum:
            self._mismatch(symbol)
            return
        self.books[symbol] = book
        self._awaiting_snapshot.discard(symbol)
        self.synced_at[symbol] = time.monotonic()
        seq = self._seq[symbol] = self._seq.get(symbol, 0) + 1
        sorted_bids, sorted_asks = book.sorted_levels()
        self._sink.on_snapshot(
            BookSnapshot(symbol, seq, sorted_bids, sorted_asks, venue_ns, recv_ns)
        )

    def _on_update(self, item: BookItem, venue_ns: int, recv_ns: int) -> None:
        symbol = item.symbol
        book = self.books.get(symbol)  # held only while no snapshot is awaited
        if book is None:
            self._count(UnifiedDrop.RESYNCING)
            return
        bids, asks = item.bids, item.asks
        checksum, cut_bids, cut_asks = book.apply(bids, asks)
        self.stats.updates += 1
        if checksum != item.checksum:
            self._mismatch(symbol)
            return
        seq = self._seq[symbol] = self._seq[symbol] + 1
        self._sink.on_delta(
            BookDelta(
                symbol,
                seq,
                seq,
                (*((x.price, x.qty) for x in bids), *((p, 0.0) for p in cut_bids)),
                (*((x.price, x.qty) for x in asks), *((p, 0.0) for p in cut_asks)),
                venue_ns,
                recv_ns,
            )
        )

    def _mismatch(self, symbol: str) -> None:
        self.stats.checksum_mismatches += 1
        log.warning("Kraken Unified: %s book checksum mismatch; resyncing it", symbol)
        self.invalidate(symbol, "checksum mismatch")

    def expect_snapshot(self, symbol: str) -> None:
        """A resubscription went out: updates of ``symbol`` are stale until its snapshot."""
        self.books.pop(symbol, None)
        self._awaiting_snapshot.add(symbol)

    def invalidate(self, symbol: str, reason: str) -> None:
        """The local book of ``symbol`` is wrong: core book not LIVE, a resync asked for."""
        self.books.pop(symbol, None)
        self._awaiting_snapshot.add(symbol)
        if symbol in self._seq:
            # An empty delta that skips a number: the core book's gap rule turns it SYNCING.
            seq = self._seq[symbol] = self._seq[symbol] + 2
            self._sink.on_delta(BookDelta(symbol, seq, seq, (), (), 0, 0))
        self._on_resync(symbol, reason)

    # --- status, instrument -----------------------------------------------------------------
    def _on_status_frame(self, message: dict[str, Any], recv_ns: int) -> None:
        data = message.get("data")
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise BadFrame("status data is not a list of one object")
        system = data[0].get("system")
        if not isinstance(system, str):
            raise BadFrame("status without system")
        if system not in KNOWN_SYSTEMS:
            key = f"system:{system}"
            self.stats.unknown[key] = self.stats.unknown.get(key, 0) + 1
        if system == self.system:
            return
        previous, was_online, self.system = self.system, self.online, system
        self.stats.status_changes += 1
        self._sink.on_feed_event(FeedEvent(FeedEventKind.VENUE_STATUS, system, recv_ns=recv_ns))
        if was_online and not self.online:
            log.warning("Kraken Unified: venue status %r; books are not LIVE", system)
            for symbol in list(self.books):
                self.books.pop(symbol)
                self._awaiting_snapshot.add(symbol)
                seq = self._seq[symbol] = self._seq[symbol] + 2
                self._sink.on_delta(BookDelta(symbol, seq, seq, (), (), 0, recv_ns))
        if previous:  # the first status of a connection changes nothing: snapshots follow
            self._on_status(system)

    def _on_instrument(self, message: dict[str, Any]) -> None:
        data = message.get("data")
        pairs = data.get("pairs") if isinstance(data, dict) else None
        if not isinstance(pairs, list):
            raise BadFrame("instrument data without pairs")
        for pair in pairs:
            if not isinstance(pair, dict):
                continue
            symbol, pp, qp = (
                pair.get("symbol"),
                pair.get("price_precision"),
                pair.get("qty_precision"),
            )
            if isinstance(symbol, str) and isinstance(pp, int) and isinstance(qp, int):
                if self.precisions.get(symbol, (pp, qp)) != (pp, qp):
                    self._precision_changed(symbol, pp, qp)
                self.precisions[symbol] = (pp, qp)

    def _precision_changed(self, symbol: str, price_precision: int, qty_precision: int) -> None:
        """An ``instrument`` update changed how ``symbol``'s checksum text is written: its held
        levels are still the venue's, so the checksum book is rebuilt at the new precisions
        (else every later message would mismatch and force a resync)."""
        log.info(
            "Kraken Unified: %s precision now price %d, qty %d",
            symbol,
            price_precision,
            qty_precision,
        )
        held = self.books.get(symbol)
        if held is None:
            return
        bids, asks = held.sorted_levels()
        book = ChecksumBook(self._depth, price_precision, qty_precision)
        book.replace([WireLevel(*level) for level in bids], [WireLevel(*level) for level in asks])
        self.books[symbol] = book

    # --- drops --------------------------------------------------------------------------------
    def _count(self, reason: UnifiedDrop) -> None:
        self.stats.dropped[reason] = self.stats.dropped.get(reason, 0) + 1

    def _drop(self, reason: UnifiedDrop, raw: bytes | str, recv_ns: int, detail: str = "") -> None:
        self._count(reason)
        log.debug("Kraken Unified: dropped a frame (%s) %s %.80r", reason.value, detail, raw)
        self._sink.on_feed_event(
            FeedEvent(FeedEventKind.DROPPED_FRAME, detail or reason.value, recv_ns=recv_ns)
        )
