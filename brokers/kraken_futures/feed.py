"""The Kraken Futures order-book feed: one WebSocket v1 connection, kept alive and resubscribed.

On each connection: wait for ``{"event":"info"}``, subscribe ``book`` for every product and
``heartbeat``, then turn frames into core events until the connection ends. Keep-alive uses
WebSocket protocol pings every ``ping_interval_s`` (the venue asks for a ping at least every
60 s; its own sample client pings every 30 s). A connection on which nothing at all arrives for
``silence_timeout_s`` — heartbeats included — is aborted and replaced: a half-open socket is
detected, not waited on. Reconnects back off exponentially with jitter.

``resync(product)`` unsubscribes and resubscribes that product only; the venue then sends a fresh
``book_snapshot``. Sequence checking belongs to the core book, which buffers in-flight deltas and
drops the stale ones by ``seq`` when the new snapshot arrives.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from brokers.kraken_futures.control import control_events
from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.stats import FeedStats
from brokers.kraken_futures.wire import (
    EVENT_INFO,
    FEED_BOOK,
    FEED_HEARTBEAT,
    Frame,
    subscribe_message,
    unsubscribe_message,
)
from brokers.net.backoff import BackoffPolicy
from brokers.net.urls import redacted
from brokers.net.websocket import WebSocketFeed
from brokers.recording.tap import RawFrameTap
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

log = logging.getLogger(__name__)

WEBSOCKET_TIMEOUT_SECONDS = 10.0
RECONNECT_BACKOFF = BackoffPolicy(initial_s=0.25, max_s=1.5)
"""The cap is short on purpose: a book must be back within about 2 s of the venue being
reachable again, so after a long outage we still try every 1.2–1.5 s (one client's handshake
that often is no burden for a venue; the jitter keeps clients apart)."""


class _NoInfo(Exception):
    """The venue did not greet us with ``{"event":"info"}`` in time."""


class KrakenFuturesFeed:
    """``core.ports.MarketFeed`` for Kraken Futures (WebSocket v1, public ``book`` feed)."""

    def __init__(
        self,
        products: Sequence[str],
        *,
        ws_url: str,
        ping_interval_s: float = 30.0,
        silence_timeout_s: float = WEBSOCKET_TIMEOUT_SECONDS,
        backoff: BackoffPolicy | None = None,
        open_timeout_s: float = 10.0,
        close_timeout_s: float = 2.0,
        rng: random.Random | None = None,
        on_raw_frame: RawFrameTap | None = None,
    ) -> None:
        wanted = tuple(dict.fromkeys(p.strip().upper() for p in products if p.strip()))
        if not wanted:
            raise ValueError("KrakenFuturesFeed needs at least one product id")
        if urlsplit(ws_url).scheme not in ("ws", "wss"):
            raise ValueError(
                f"Kraken Futures WebSocket URL must be ws:// or wss://, got {redacted(ws_url)!r}"
            )
        if silence_timeout_s <= 0 or ping_interval_s <= 0:
            raise ValueError("ping_interval_s and silence_timeout_s must be positive")
        self._products = wanted
        self._shown_url = redacted(ws_url)
        self._silence_timeout_s = silence_timeout_s
        self._stats = FeedStats()
        self._connection = WebSocketFeed(
            ws_url,
            venue="Kraken Futures",
            shown_url=self._shown_url,
            stats=self._stats,
            backoff=backoff or RECONNECT_BACKOFF,
            rng=rng,
            open_timeout_s=open_timeout_s,
            close_timeout_s=close_timeout_s,
            ping_interval_s=ping_interval_s,
            ping_timeout_s=silence_timeout_s,
            on_raw_frame=on_raw_frame,
            failures=(_NoInfo,),
        )
        self._parser: FrameParser | None = None
        self._resync_pending: set[str] = set()
        self._resync_wake = asyncio.Event()

    def __repr__(self) -> str:
        return f"KrakenFuturesFeed(products={list(self._products)}, ws_url={self._shown_url!r})"

    @property
    def products(self) -> tuple[str, ...]:
        return self._products

    @property
    def ws_url(self) -> str:
        """Where the feed connects, without any credentials a proxy URL might carry."""
        return self._shown_url

    @property
    def stats(self) -> FeedStats:
        """A copy of the counters: frames, drops by reason, reconnects, resyncs, …"""
        return self._stats.copy()

    def resync(self, product: str) -> None:
        """Ask for a fresh snapshot of this product only (unsubscribe, then subscribe again)."""
        wanted = product.strip().upper()
        if wanted not in self._products:
            log.warning(
                "Kraken Futures: resync of %r ignored: not one of this feed's products", product
            )
            return
        self._resync_pending.add(wanted)
        self._resync_wake.set()

    async def run(self, sink: FeedSink) -> None:
        """Connect, subscribe, deliver events until cancelled; reconnects by itself."""
        if self._connection.running:
            raise RuntimeError("KrakenFuturesFeed.run is already running")
        self._parser = FrameParser(sink, self._stats)
        await self._connection.run(self, sink)

    # --- one connection (``brokers.net.websocket.FeedSession``) ---------------------------------
    def opened(self, sink: FeedSink, recv_ns: int) -> None:
        sink.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, self._shown_url))

    async def serve(self, ws: ClientConnection, sink: FeedSink) -> None:
        """One connection from greeting to close."""
        parser = self._parser
        assert parser is not None
        await self._await_info(ws, parser, sink)
        # A full subscription supersedes any resync asked for while we were away.
        self._resync_pending.clear()
        self._resync_wake.clear()
        await ws.send(subscribe_message(FEED_BOOK, list(self._products)))
        await ws.send(subscribe_message(FEED_HEARTBEAT))
        connection = self._connection

        def on_control(frame: Frame, recv_ns: int) -> None:
            self._on_control(frame, parser, sink, recv_ns)

        await connection.stream(
            ws,
            parser.parse,
            on_control,
            helpers=(
                ("kraken-futures-resync", self._send_resyncs(ws, sink)),
                ("kraken-futures-watchdog", connection.watch_silence(ws, self._silence_timeout_s)),
            ),
        )

    async def _await_info(self, ws: ClientConnection, parser: FrameParser, sink: FeedSink) -> None:
        deadline = time.monotonic() + self._silence_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _NoInfo(f"no info message within {self._silence_timeout_s:g} s")
            try:
                raw, recv_ns = await self._connection.receive(ws, remaining)
            except TimeoutError:
                raise _NoInfo(f"no info message within {self._silence_timeout_s:g} s") from None
            frame = parser.parse(raw, recv_ns)
            if frame is None:
                continue
            if frame.event == EVENT_INFO:
                return
            self._on_control(frame, parser, sink, recv_ns)

    def _on_control(self, frame: Frame, parser: FrameParser, sink: FeedSink, recv_ns: int) -> None:
        control_events(frame, parser, sink, self._stats, recv_ns, log=log)

    async def _send_resyncs(self, ws: ClientConnection, sink: FeedSink) -> None:
        while True:
            await self._resync_wake.wait()
            self._resync_wake.clear()
            products = sorted(self._resync_pending)
            self._resync_pending.clear()
            if not products:
                continue
            try:
                await ws.send(unsubscribe_message(FEED_BOOK, products))
                await ws.send(subscribe_message(FEED_BOOK, products))
            except ConnectionClosed:
                return  # the session ends; the next connection subscribes everything
            self._stats.resyncs += len(products)
            for product in products:
                sink.on_feed_event(
                    FeedEvent(FeedEventKind.RESYNC_REQUESTED, "resubscribed", product)
                )
