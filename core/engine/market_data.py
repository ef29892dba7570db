"""Market data: the feed's sink. Books in sequence, the lag rule, book health and freshness.

Per book update (the hot path): apply it to its book; an applied update of the traded book that
the venue stamped recently enough (the lag rule) goes to the trader's ``on_book_update``, with no
other hop. A gap or a crossed book turns the book SYNCING and asks the feed to resync that
product; a frame stamped too long ago by the venue makes the book STALE until one is on time.
What a book refused (gaps, duplicates, crosses, buffer overflows) the book counts itself.

The watchdog (``check_staleness``, see ``core.freshness``) marks silent books STALE, asks again
for resyncs that never completed, and reports a traded book down too long with a position open.

A venue that says it is not ``online`` (``FeedEventKind.VENUE_STATUS``: Kraken Unified's
``status`` channel, ``maintenance``/``cancel_only``/``post_only``) takes every book out of LIVE
with that reason (nothing enters; exits follow the not-LIVE rules) until it is ``online`` again
and the feed has resynced; meanwhile resyncs are not asked again (the feed holds them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from core.book import APPLIED, CROSSED, GAP, ApplyOutcome, OrderBook
from core.clock import Clock
from core.engine.counters import EngineCounters
from core.enums import BookState
from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind
from core.freshness import AlarmKind, BookWatch, FreshnessPolicy
from core.maintenance import NOTICE_PREFIX
from core.observer import EngineObserver
from core.ports import MarketFeed

log = logging.getLogger(__name__)

_LIVE = BookState.LIVE  # enum member lookups cost ~100 ns: the hot path uses module constants
_NO_LAG_LIMIT = 1 << 64  # more than any recv_ns - venue_ts_ns: the lag rule never trips


class MarketData:
    """A ``core.ports.LevelSink``: the engine hands the feed its bound methods directly."""

    def __init__(
        self,
        books: Mapping[str, OrderBook],
        *,
        traded: str,
        feed: MarketFeed,
        clock: Clock,
        freshness: FreshnessPolicy,
        stale_after_s: float,
        counters: EngineCounters,
        observers: EngineObserver,
        notice: Callable[[str], None],
        decide: Callable[[int], None],
        position_open: Callable[[], bool],
        down_too_long: Callable[[str], None],
        snapshot_loaded: Callable[[], None] | None = None,
    ) -> None:
        self.books = dict(books)
        self.book = self.books[traded]
        self._traded = traded
        self._feed = feed
        self._clock = clock
        self._policy = freshness
        self._watch = BookWatch(freshness, stale_after_s=stale_after_s)
        self._counters = counters
        self._observers = observers
        self._notice = notice
        self._decide = decide
        self._position_open = position_open
        self._down_too_long = down_too_long
        self._snapshot_loaded = snapshot_loaded  # the traded book was (re)loaded from a snapshot
        self.frames = 0  # updates for a known product; per frame, so a plain int here
        self._max_lag_ns = freshness.max_lag_ns  # 0: the lag rule is off
        self._wall_offset_ns = 0
        self._lag_allowance_ns = _NO_LAG_LIMIT
        self._set_wall_offset(clock.wall_ns() - clock.mono_ns())  # refreshed by the watchdog
        self._connected = False
        self._last_heartbeat_ns = 0
        self.venue_down = ""  # the venue's status while it is not "online"

    # ------------------------------------------------------------------ feed sink (hot path)
    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        book = self.books.get(snapshot.product)
        if book is None:
            self._counters.unknown_product += 1
            return
        self.frames += 1
        self._counters.snapshots += 1
        before = book.state
        outcome = book.apply_snapshot(snapshot)
        if outcome is ApplyOutcome.APPLIED:
            venue_ts = snapshot.venue_ts_ns
            if venue_ts and snapshot.recv_ns - venue_ts > self._lag_allowance_ns:
                self._lagging(book, before, snapshot.recv_ns, venue_ts)
                return
            self._notify_state(book, before, "snapshot loaded")
            self._observers.on_snapshot_loaded(book.product, book.bid_count, book.ask_count)
            if book is self.book:
                if self._snapshot_loaded is not None:
                    self._snapshot_loaded()
                self._decide(snapshot.recv_ns)
        else:
            self._book_broken(book, before, outcome)

    def on_delta(self, delta: BookDelta) -> None:
        try:  # cheaper than ``dict.get`` when, as nearly always, the product is known
            book = self.books[delta.product]
        except KeyError:
            self._counters.unknown_product += 1
            return
        self.frames += 1
        before = book.state
        self._after_update(book, before, book.apply_delta(delta), delta.venue_ts_ns, delta.recv_ns)

    def on_level(  # noqa: PLR0917 - one level, positional: keywords cost ~10 ns each
        self,
        product: str,
        seq: int,
        bid: bool,
        price: float,
        size: float,
        venue_ts_ns: int,
        recv_ns: int,
    ) -> None:
        """``on_delta`` of a one-level delta (``core.ports.LevelSink``), never built: Kraken
        Futures' hot path."""
        try:
            book = self.books[product]
        except KeyError:
            self._counters.unknown_product += 1
            return
        self.frames += 1
        before = book.state
        outcome = book.apply_level(seq, bid, price, size, venue_ts_ns, recv_ns)
        self._after_update(book, before, outcome, venue_ts_ns, recv_ns)

    def _after_update(
        self,
        book: OrderBook,
        before: BookState,
        outcome: ApplyOutcome,
        venue_ts_ns: int,
        recv_ns: int,
    ) -> None:
        """What an update's outcome means: a decision on a fresh, applied update of the traded
        book; a lagging venue clock makes the book STALE; a broken one is resynced."""
        if outcome is APPLIED:
            if venue_ts_ns and recv_ns - venue_ts_ns > self._lag_allowance_ns:
                self._lagging(book, before, recv_ns, venue_ts_ns)
                return
            if before is not _LIVE:
                self._notify_state(book, before, "updates resumed")
            if book is self.book:
                self._decide(recv_ns)
        elif outcome is GAP or outcome is CROSSED:
            self._book_broken(book, before, outcome)

    def on_feed_event(self, event: FeedEvent) -> None:
        kind = event.kind
        if kind is FeedEventKind.HEARTBEAT:
            self._last_heartbeat_ns = event.recv_ns
        elif kind is FeedEventKind.DROPPED_FRAME:
            self._counters.dropped_frames += 1
        elif kind is FeedEventKind.CONNECTED:
            self._last_heartbeat_ns = event.recv_ns
            self._connected = True
            # Wall - monotonic, for the lag rule; a replay's clock follows the recording.
            self._set_wall_offset(self._clock.wall_ns() - self._clock.mono_ns())
        elif kind is FeedEventKind.DISCONNECTED:
            self._connected = False
            self._counters.reconnects += 1
            for book in self.books.values():
                before = book.state
                book.reset(f"disconnected: {event.detail}")
                self._notify_state(book, before, f"disconnected: {event.detail}")
        elif kind is FeedEventKind.VENUE_ERROR:
            self._notice(f"venue error: {event.detail}")
        elif kind is FeedEventKind.VENUE_STATUS:
            self._venue_status(event.detail)

    def _venue_status(self, system: str) -> None:
        """The venue's trading state: anything but "online" takes every book out of LIVE."""
        if system == "online":
            if self.venue_down:
                self.venue_down = ""
                self._notice(f"{NOTICE_PREFIX} over: venue status online, resyncing the books")
            return
        if system == self.venue_down:
            return
        self.venue_down = system
        reason = f"venue status {system}: no entries until it is online"
        self._notice(f"{NOTICE_PREFIX}: {reason}")  # the notifier's cue, as for a window
        for book in self.books.values():
            before = book.state
            book.reset(reason)
            self._notify_state(book, before, reason)

    def _set_wall_offset(self, offset_ns: int) -> None:
        """Wall - monotonic clock, for the lag rule: a frame lags when ``recv_ns + offset -
        venue_ts_ns > max_lag``, checked per frame as ``recv_ns - venue_ts_ns > allowance``."""
        self._wall_offset_ns = offset_ns
        limit = self._max_lag_ns
        self._lag_allowance_ns = limit - offset_ns if limit else _NO_LAG_LIMIT

    # ------------------------------------------------------------------ book health
    def _book_broken(self, book: OrderBook, before: BookState, outcome: ApplyOutcome) -> None:
        reason = "sequence gap" if outcome is ApplyOutcome.GAP else "crossed book"
        self._counters.resyncs += 1
        self._notify_state(book, before, f"{reason}: resyncing {book.product}")
        self._feed.resync(book.product)

    def _notify_state(self, book: OrderBook, before: BookState, reason: str) -> None:
        if book.state is before:
            return
        log.info("book %s %s -> %s (%s)", book.product, before.value, book.state.value, reason)
        self._observers.on_book_state(book.product, book.state, reason)

    def _lagging(self, book: OrderBook, before: BookState, recv_ns: int, venue_ts_ns: int) -> None:
        """A frame stamped too long ago by the venue: the book is STALE until one is on time."""
        book.mark_stale()
        if before is BookState.LIVE or book.state is not before:
            self._counters.stale_lag += 1
            lag_s = (recv_ns + self._wall_offset_ns - venue_ts_ns) / 1e9
            limit = self._policy.max_lag_s
            self._notify_state(book, before, f"venue time lags by {lag_s:.1f}s (limit {limit:g}s)")

    def check_staleness(self) -> None:
        """The watchdog's round (see ``core.freshness``): silent books STALE, lost resyncs asked
        again, a traded book down too long with a position open reported (to be flattened)."""
        clock = self._clock
        now = clock.mono_ns()
        self._set_wall_offset(clock.wall_ns() - now)
        alarms = self._watch.review(
            self.books.values(),
            traded=self._traded,
            now_ns=now,
            last_heartbeat_ns=self._last_heartbeat_ns,
            connected=self._connected,
            position_open=self._position_open(),
        )
        for alarm in alarms:
            book = self.books[alarm.product]
            if alarm.kind is AlarmKind.STALE:
                book.mark_stale()
                self._counters.stale_silence += 1
                self._notify_state(book, BookState.LIVE, alarm.reason)
            elif alarm.kind is AlarmKind.RESYNC_AGAIN:
                if self.venue_down:
                    continue  # the feed resyncs when the venue is online again
                self._counters.resync_retries += 1
                self._notice(f"{alarm.product}: {alarm.reason}; asking again")
                self._feed.resync(alarm.product)
            else:
                self._down_too_long(alarm.reason)

    def review_position(self) -> None:
        """The watchdog's round for an engine following books another ``MarketData`` feeds and
        watches (which ran its own ``check_staleness`` first): only this engine's position."""
        live = self.book.state is _LIVE
        now = self._clock.mono_ns()
        alarms = self._watch.review_position(self._traded, live, now, self._position_open())
        for alarm in alarms:
            self._down_too_long(alarm.reason)
