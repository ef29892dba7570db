"""Book freshness: when a book stops being fit to decide on, and what then.

A book the engine decides on must be LIVE: in sequence since its last snapshot *and* current.
The book itself enforces the sequence (``core.book``); this module owns "current":

* **silence** — nothing at all (no delta, no heartbeat) for ``stale_after_s``: STALE;
* **lag** — a frame whose venue timestamp lags the local clock by more than ``max_lag_s``:
  STALE. The engine checks that on arrival, inline on the hot path, with ``lag_ns`` below;
* **a resync that never completes** — a book SYNCING for ``resync_timeout_s`` while the feed
  is connected gets its resync asked for again (a lost subscribe must not park it forever);
* **an open position on a book that is not LIVE** for longer than ``not_live_grace_s``:
  ``NotLiveAction.HOLD`` keeps it, ``FLATTEN`` closes it (asked again every grace period
  while the book stays down and the position open).

``BookWatch.review`` runs on the engine's watchdog a few times a second, never per frame. It
reads the books and returns ``Alarm``s; the engine acts on them (marks, resyncs, flattens).
Times are monotonic nanoseconds passed in: nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from core.book import OrderBook
from core.enums import BookState

NS = 1_000_000_000


class NotLiveAction(Enum):
    """What to do with an open position while its book has not been LIVE for too long."""

    HOLD = "hold"
    FLATTEN = "flatten"


@dataclass(frozen=True, slots=True)
class FreshnessPolicy:
    """``max_lag_s`` 0 switches the lag rule off (e.g. for a replay of old frames)."""

    max_lag_s: float = 5.0
    resync_timeout_s: float = 10.0
    not_live_grace_s: float = 30.0
    not_live_action: NotLiveAction = NotLiveAction.FLATTEN

    def __post_init__(self) -> None:
        if self.max_lag_s < 0:
            raise ValueError(f"max lag must be >= 0 seconds, got {self.max_lag_s}")
        if self.resync_timeout_s <= 0 or self.not_live_grace_s <= 0:
            raise ValueError("resync timeout and not-LIVE grace must be positive")

    @property
    def max_lag_ns(self) -> int:
        return int(self.max_lag_s * NS)


class AlarmKind(Enum):
    STALE = "stale"  # mark this LIVE book STALE
    RESYNC_AGAIN = "resync_again"  # ask the feed for this product's snapshot again
    FLATTEN = "flatten"  # close the open position (the traded book is down too long)


@dataclass(frozen=True, slots=True)
class Alarm:
    kind: AlarmKind
    product: str
    reason: str


def lag_ns(recv_ns: int, wall_offset_ns: int, venue_ts_ns: int) -> int:
    """How far a frame's venue time lags the local wall clock when it arrived.

    ``wall_offset_ns`` = wall clock − monotonic clock, so ``recv_ns + wall_offset_ns`` is the
    arrival in wall-clock time without reading a clock per frame.
    """
    return recv_ns + wall_offset_ns - venue_ts_ns


class BookWatch:
    """The watchdog's memory: since when each book has been SYNCING, and the traded book down."""

    __slots__ = ("_last_flatten_ns", "_not_live_since_ns", "_policy", "_stale_ns", "_syncing")

    def __init__(self, policy: FreshnessPolicy, *, stale_after_s: float) -> None:
        if stale_after_s <= 0:
            raise ValueError(f"stale_after_s must be positive, got {stale_after_s}")
        self._policy = policy
        self._stale_ns = int(stale_after_s * NS)
        self._syncing: dict[str, int] = {}  # product -> when its (latest) resync began
        self._not_live_since_ns: int | None = None
        self._last_flatten_ns: int | None = None

    @property
    def policy(self) -> FreshnessPolicy:
        return self._policy

    def not_live_for_ns(self, now_ns: int) -> int:
        """How long the traded book has not been LIVE (0 while it is)."""
        since = self._not_live_since_ns
        return 0 if since is None else now_ns - since

    def review(
        self,
        books: Iterable[OrderBook],
        *,
        traded: str,
        now_ns: int,
        last_heartbeat_ns: int,
        connected: bool,
        position_open: bool,
    ) -> list[Alarm]:
        alarms: list[Alarm] = []
        traded_live = False
        for book in books:
            state = book.state
            product = book.product
            if state is BookState.LIVE:
                self._syncing.pop(product, None)
                last = max(book.last_recv_ns, last_heartbeat_ns)
                if now_ns - last > self._stale_ns:
                    silence = f"no data for {self._stale_ns / NS:g}s"
                    alarms.append(Alarm(AlarmKind.STALE, product, silence))
                elif product == traded:
                    traded_live = True
            elif state is BookState.SYNCING:
                alarms.extend(self._review_syncing(product, now_ns, connected))
            else:
                self._syncing.pop(product, None)
        alarms.extend(self.review_position(traded, traded_live, now_ns, position_open))
        return alarms

    def _review_syncing(self, product: str, now_ns: int, connected: bool) -> list[Alarm]:
        since = self._syncing.setdefault(product, now_ns)
        if not connected:  # the feed resubscribes everything when it reconnects
            self._syncing[product] = now_ns
            return []
        timeout_ns = int(self._policy.resync_timeout_s * NS)
        if now_ns - since <= timeout_ns:
            return []
        self._syncing[product] = now_ns
        waited = f"no snapshot {self._policy.resync_timeout_s:g}s after asking"
        return [Alarm(AlarmKind.RESYNC_AGAIN, product, waited)]

    def review_position(
        self, traded: str, live: bool, now_ns: int, position_open: bool
    ) -> list[Alarm]:
        """The position part of ``review`` alone (``live``: the traded book is LIVE and current),
        for an engine whose books another part feeds and watches (a sweep's shared pass)."""
        if live:
            self._not_live_since_ns = None
            self._last_flatten_ns = None
            return []
        if self._not_live_since_ns is None:
            self._not_live_since_ns = now_ns
        policy = self._policy
        if not position_open or policy.not_live_action is NotLiveAction.HOLD:
            return []
        grace_ns = int(policy.not_live_grace_s * NS)
        if now_ns - self._not_live_since_ns <= grace_ns:
            return []
        last = self._last_flatten_ns
        if last is not None and now_ns - last <= grace_ns:
            return []
        self._last_flatten_ns = now_ns
        why = f"book not LIVE for {policy.not_live_grace_s:g}s with a position open: flatten"
        return [Alarm(AlarmKind.FLATTEN, traded, why)]
