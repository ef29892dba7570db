"""The Binance.us order-book feed: the diff-depth stream plus REST snapshots, kept alive.

The docs' local-book procedure ("Managing a Local Order Book"), split the way this project
splits work: the feed opens the stream FIRST and hands every ``depthUpdate`` to the sink as it
arrives; then, once the symbol's first event is in (so the core book has something buffered),
it fetches ``GET /api/v3/depth?limit=1000`` and hands over a ``BookSnapshot(seq=lastUpdateId)``.
The core book buffers, drops ``u <= lastUpdateId``, checks ``U <= lastUpdateId+1 <= u`` and
``U == previous u + 1``, and on any break the engine calls ``resync(symbol)``: a fresh snapshot
of that symbol only, the stream stays.

Snapshots cost REST weight (10 each), so repeated resyncs of one symbol back off exponentially
(``snapshot_backoff``) and a 429/418 holds the symbol back for the venue's ``Retry-After``; the
REST client's gate makes sure nothing else is sent meanwhile either.

Keep-alive: the venue pings every 3 minutes and drops a connection that does not pong within
10; the websockets library answers its pings. We ping too, every ``ping_interval_s``: each pong
is reported as a HEARTBEAT (a quiet book is not a stale one), and a missing pong within
``pong_timeout_s`` drops the connection as half-open. The venue cuts every connection after
24 h: the sink hears DISCONNECTED (the engine throws the books away, so no decision is ever
taken on a half-built book), and the feed reconnects and re-snapshots.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from typing import Protocol

from websockets.asyncio.client import ClientConnection

from brokers.binance_us.errors import RateLimited
from brokers.binance_us.parse import DepthParser
from brokers.binance_us.stats import FeedStats
from brokers.binance_us.urls import BinanceUsEndpoints
from brokers.net.backoff import Backoff, BackoffPolicy
from brokers.net.websocket import WebSocketFeed
from brokers.recording.tap import ConnectTap, RawFrameTap
from core.events import BookSnapshot, FeedEvent, FeedEventKind
from core.ports import FeedSink, VenueError

log = logging.getLogger(__name__)

SNAPSHOT_LIMIT = 1000
RECONNECT_BACKOFF = BackoffPolicy(initial_s=0.5, max_s=30.0)
SNAPSHOT_BACKOFF = BackoffPolicy(initial_s=0.25, max_s=30.0, healthy_after_s=30.0)


class DepthSnapshots(Protocol):
    """Where the feed gets snapshots from (``BinanceUsRest`` in production)."""

    async def depth_snapshot(self, symbol: str, limit: int = SNAPSHOT_LIMIT) -> BookSnapshot: ...


class BinanceUsFeed:
    """``core.ports.MarketFeed`` for Binance.us spot (``<symbol>@depth@100ms`` + REST depth)."""

    def __init__(
        self,
        symbols: Sequence[str],
        *,
        endpoints: BinanceUsEndpoints,
        snapshots: DepthSnapshots,
        ping_interval_s: float = 5.0,
        pong_timeout_s: float = 10.0,
        first_event_wait_s: float = 2.0,
        snapshot_limit: int = SNAPSHOT_LIMIT,
        reconnect_backoff: BackoffPolicy | None = None,
        snapshot_backoff: BackoffPolicy | None = None,
        open_timeout_s: float = 10.0,
        close_timeout_s: float = 2.0,
        rng: random.Random | None = None,
        on_raw_frame: RawFrameTap | None = None,
        on_connect: ConnectTap | None = None,
    ) -> None:
        wanted = tuple(dict.fromkeys(s.strip().upper() for s in symbols if s.strip()))
        if not wanted:
            raise ValueError("BinanceUsFeed needs at least one symbol")
        if ping_interval_s <= 0 or pong_timeout_s <= 0 or first_event_wait_s < 0:
            raise ValueError("ping_interval_s and pong_timeout_s must be positive")
        self._symbols = wanted
        self._url = endpoints.stream_url(wanted)
        self._snapshots = snapshots
        self._ping_interval_s = ping_interval_s
        self._pong_timeout_s = pong_timeout_s
        self._first_event_wait_s = first_event_wait_s
        self._limit = snapshot_limit
        self._rng = rng or random.Random()
        self._snapshot_policy = snapshot_backoff or SNAPSHOT_BACKOFF
        self._snapshot_backoff = {s: Backoff(self._snapshot_policy, self._rng) for s in wanted}
        self._last_snapshot = dict.fromkeys(wanted, 0.0)  # monotonic s of the last fetch
        self._due: dict[str, float] = {}  # symbol -> monotonic s at which to fetch a snapshot
        self._wake = asyncio.Event()
        self._seen: set[str] = set()  # symbols with an event on this connection
        self._stats = FeedStats()
        self._connection = WebSocketFeed(
            self._url,
            venue="Binance.us",
            shown_url=self._url,
            stats=self._stats,
            backoff=reconnect_backoff or RECONNECT_BACKOFF,
            rng=self._rng,
            open_timeout_s=open_timeout_s,
            close_timeout_s=close_timeout_s,
            ping_interval_s=None,  # our own keep-alive reports pongs: ``keep_alive``
            on_raw_frame=on_raw_frame,
            on_connect=on_connect,
        )
        self._parser: DepthParser | None = None

    def __repr__(self) -> str:
        return f"BinanceUsFeed(symbols={list(self._symbols)}, url={self._url!r})"

    @property
    def url(self) -> str:
        return self._url

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    @property
    def stats(self) -> FeedStats:
        return self._stats.copy()

    def resync(self, product: str) -> None:
        """A fresh snapshot of this symbol only, after a back-off if it keeps breaking."""
        symbol = product.strip().upper()
        if symbol not in self._snapshot_backoff:
            log.warning("Binance.us: resync of %r ignored: not one of this feed's symbols", product)
            return
        now = time.monotonic()
        backoff = self._snapshot_backoff[symbol]
        if now - self._last_snapshot[symbol] >= self._snapshot_policy.healthy_after_s:
            backoff.reset()
        delay = backoff.next_delay()
        self._stats.resyncs += 1
        self._due[symbol] = max(self._due.get(symbol, 0.0), now + delay)
        self._wake.set()

    async def run(self, sink: FeedSink) -> None:
        """Connect, stream, snapshot, deliver until cancelled; reconnects by itself."""
        if self._connection.running:
            raise RuntimeError("BinanceUsFeed.run is already running")
        self._parser = DepthParser(sink, self._stats)
        await self._connection.run(self, sink)

    # --- one connection (``brokers.net.websocket.FeedSession``) ---------------------------------
    def opened(self, sink: FeedSink, recv_ns: int) -> None:
        self._seen.clear()
        now = time.monotonic()
        self._due = dict.fromkeys(self._symbols, now)  # a new connection re-snapshots everything
        sink.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, self._url, recv_ns=recv_ns))

    async def serve(self, ws: ClientConnection, sink: FeedSink) -> None:
        parser = self._parser
        assert parser is not None
        opened = time.monotonic()
        connection = self._connection
        await connection.stream(
            ws,
            parser.parse,
            self._first_event_of,
            helpers=(
                ("binance-us-snapshots", self._fetch_snapshots(sink, opened)),
                (
                    "binance-us-keepalive",
                    connection.keep_alive(
                        ws,
                        interval_s=self._ping_interval_s,
                        timeout_s=self._pong_timeout_s,
                        on_pong=lambda recv_ns: self._pong(sink, recv_ns),
                    ),
                ),
            ),
        )

    def _first_event_of(self, product: str, recv_ns: int) -> None:
        """A symbol's first event on this connection: its snapshot may be fetched now."""
        if product not in self._seen:
            self._seen.add(product)
            self._wake.set()

    def _pong(self, sink: FeedSink, recv_ns: int) -> None:
        self._stats.pongs += 1
        sink.on_feed_event(FeedEvent(FeedEventKind.HEARTBEAT, "pong", recv_ns=recv_ns))

    async def _fetch_snapshots(self, sink: FeedSink, opened: float) -> None:
        """Fetch each symbol's snapshot when due (and once its first event is in)."""
        while True:
            self._wake.clear()
            symbol, wait_s = self._next_due(opened)
            if symbol is not None:
                del self._due[symbol]
                await self._fetch_one(symbol, sink)
                continue
            try:
                async with asyncio.timeout(wait_s):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _next_due(self, opened: float) -> tuple[str | None, float | None]:
        """The symbol to fetch now, else how long until one is due (None: nothing pending)."""
        now = time.monotonic()
        soonest: float | None = None
        for symbol, due in self._due.items():
            ready = due
            if symbol not in self._seen:  # give the stream a moment to buffer something
                ready = max(due, opened + self._first_event_wait_s)
            if ready <= now:
                return symbol, None
            soonest = ready if soonest is None else min(soonest, ready)
        return None, None if soonest is None else soonest - now

    async def _fetch_one(self, symbol: str, sink: FeedSink) -> None:
        self._last_snapshot[symbol] = time.monotonic()
        try:
            snapshot = await self._snapshots.depth_snapshot(symbol, self._limit)
        except RateLimited as exc:
            self._stats.rate_limited += 1
            retry = max(exc.retry_after_s, self._snapshot_backoff[symbol].next_delay())
            self._due[symbol] = time.monotonic() + retry
            log.warning("Binance.us %s snapshot held back %.0f s: %s", symbol, retry, exc)
            return
        except VenueError as exc:
            self._stats.snapshot_failures += 1
            retry = self._snapshot_backoff[symbol].next_delay()
            self._due[symbol] = time.monotonic() + retry
            log.warning(
                "Binance.us %s snapshot failed (%s); retrying in %.1f s", symbol, exc, retry
            )
            sink.on_feed_event(FeedEvent(FeedEventKind.VENUE_ERROR, str(exc), symbol))
            return
        except Exception:  # a bug, not the venue: keep the worker alive, say so, try again later
            self._stats.snapshot_failures += 1
            self._due[symbol] = time.monotonic() + self._snapshot_backoff[symbol].next_delay()
            log.exception("Binance.us %s snapshot: unexpected failure", symbol)
            return
        self._stats.snapshots += 1
        sink.on_snapshot(snapshot)
