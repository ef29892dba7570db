"""Shared pieces for the Binance.us adapter tests: the simulated venue, and a sink that keeps a
real core ``OrderBook`` the way the engine does (resync on a gap, reset on a disconnect)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from brokers.binance_us import BackoffPolicy, BinanceUsEndpoints, BinanceUsFeed, BinanceUsRest
from brokers.sim import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET, BinanceUsSimServer
from core.book import ApplyOutcome, OrderBook
from core.enums import BookState
from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind

# The docs' example credentials ("Signature Authentication"). Public, not a real account.
DOCS_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOCS_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOCS_QUERY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    "&recvWindow=5000&timestamp=1499827319559"
)
DOCS_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
SYMBOL = "BTCUSDT"


class RecordingSink:
    """A ``FeedSink`` that keeps everything it is given, in order."""

    def __init__(self) -> None:
        self.snapshots: list[BookSnapshot] = []
        self.deltas: list[BookDelta] = []
        self.events: list[FeedEvent] = []

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        self.snapshots.append(snapshot)

    def on_delta(self, delta: BookDelta) -> None:
        self.deltas.append(delta)

    def on_feed_event(self, event: FeedEvent) -> None:
        self.events.append(event)

    def events_of(self, kind: FeedEventKind) -> list[FeedEvent]:
        return [e for e in self.events if e.kind is kind]


class SyncedBook:
    """The engine's part of the contract, minus the strategy: one core book per symbol.

    A gap or crossed book asks the feed to resync that symbol; a disconnect throws the book
    away. ``decided_on`` records the book state every time a decision *would* be taken (the
    engine decides only on APPLIED updates), so a test can prove none is taken on a book that
    is not LIVE.
    """

    def __init__(self, feed_ref: Callable[[], BinanceUsFeed]) -> None:
        self._feed = feed_ref
        self.book = OrderBook(SYMBOL)
        self.outcomes: list[ApplyOutcome] = []
        self.events: list[FeedEvent] = []
        self.decided_on: list[BookState] = []
        self.buffered_at_snapshot: list[int] = []
        self.applied_without_snapshot = 0  # deltas applied after a disconnect, before a snapshot
        self._awaiting_snapshot = True
        self.live = asyncio.Event()

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        self.buffered_at_snapshot.append(self.book.buffered)
        outcome = self.book.apply_snapshot(snapshot)
        if outcome is ApplyOutcome.APPLIED:
            self._awaiting_snapshot = False
        self._after(outcome, snapshot.product)

    def on_delta(self, delta: BookDelta) -> None:
        outcome = self.book.apply_delta(delta)
        if outcome is ApplyOutcome.APPLIED and self._awaiting_snapshot:
            self.applied_without_snapshot += 1
        self._after(outcome, delta.product)

    def on_feed_event(self, event: FeedEvent) -> None:
        self.events.append(event)
        if event.kind is FeedEventKind.DISCONNECTED:
            self.book.reset(f"disconnected: {event.detail}")
            self._awaiting_snapshot = True
            self.live.clear()

    def _after(self, outcome: ApplyOutcome, product: str) -> None:
        if outcome is not ApplyOutcome.BUFFERED:
            self.outcomes.append(outcome)
        if outcome is ApplyOutcome.APPLIED:
            self.decided_on.append(self.book.state)
            self.live.set()
        elif outcome in (ApplyOutcome.GAP, ApplyOutcome.CROSSED):
            self.live.clear()
            self._feed().resync(product)

    def count(self, outcome: ApplyOutcome) -> int:
        return self.outcomes.count(outcome)

    def events_of(self, kind: FeedEventKind) -> list[FeedEvent]:
        return [e for e in self.events if e.kind is kind]


def endpoints_of(server: BinanceUsSimServer) -> BinanceUsEndpoints:
    return BinanceUsEndpoints.with_overrides(ws_url=server.ws_url, rest_url=server.rest_url)


def rest_for(
    server: BinanceUsSimServer,
    *,
    key: str = BINANCE_SIM_API_KEY,
    secret: str = BINANCE_SIM_API_SECRET,
    rate: Decimal = Decimal("0.001"),
) -> BinanceUsRest:
    return BinanceUsRest(
        rest_url=server.rest_url,
        api_key=key,
        api_secret=secret,
        symbols=(SYMBOL,),
        commission_estimate_rate=rate,
        timeout_s=5.0,
    )


FAST_SNAPSHOT_BACKOFF = BackoffPolicy(initial_s=0.05, max_s=0.4, jitter=0.0, healthy_after_s=5.0)
FAST_RECONNECT = BackoffPolicy(initial_s=0.05, max_s=0.2, jitter=0.0, healthy_after_s=0.5)


def feed_for(server: BinanceUsSimServer, rest: BinanceUsRest, **kwargs: object) -> BinanceUsFeed:
    options: dict[str, object] = {
        "snapshot_backoff": FAST_SNAPSHOT_BACKOFF,
        "reconnect_backoff": FAST_RECONNECT,
        "first_event_wait_s": 0.5,
        **kwargs,
    }
    return BinanceUsFeed([SYMBOL], endpoints=endpoints_of(server), snapshots=rest, **options)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(feed: BinanceUsFeed, sink: object) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``feed`` into ``sink`` for the body of the block; always cancelled afterwards."""
    task = asyncio.create_task(feed.run(sink), name="feed under test")  # type: ignore[arg-type]
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(
    check: Callable[[], bool], within_s: float = 5.0, step_s: float = 0.02
) -> None:
    """Wait until ``check()`` holds; fail the test after ``within_s`` seconds."""
    for _ in range(int(within_s / step_s)):
        if check():
            return
        await asyncio.sleep(step_s)
    assert check(), f"condition not met within {within_s} s"


async def settled_equal(
    server: BinanceUsSimServer, synced: SyncedBook, within_s: float = 5.0
) -> None:
    """Stop the market, wait until the client has everything, and compare the books exactly."""
    server.paused = True
    await eventually(
        lambda: (
            synced.book.state is BookState.LIVE and synced.book.seq == server.last_update_id(SYMBOL)
        ),
        within_s,
    )
    view = server.book(SYMBOL)
    bids, asks = synced.book.top(10_000)
    assert bids == [(float(p), float(q)) for p, q in view.bids]
    assert asks == [(float(p), float(q)) for p, q in view.asks]


@pytest.fixture
async def sim() -> AsyncIterator[BinanceUsSimServer]:
    async with BinanceUsSimServer(seed=5, rate_hz=400) as server:
        yield server
