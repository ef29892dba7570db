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

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from brokers.kraken_futures.backoff import Backoff, BackoffPolicy
from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.stats import FeedStats
from brokers.kraken_futures.urls import redacted
from brokers.kraken_futures.wire import (
    EVENT_ALERT,
    EVENT_ERROR,
    EVENT_INFO,
    EVENT_SUBSCRIBED,
    EVENT_SUBSCRIBED_FAILED,
    EVENT_UNSUBSCRIBED,
    EVENT_UNSUBSCRIBED_FAILED,
    FEED_BOOK,
    FEED_HEARTBEAT,
    Frame,
    subscribe_message,
    unsubscribe_message,
)
from brokers.recording.tap import RawFrameTap
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

log = logging.getLogger(__name__)

WEBSOCKET_TIMEOUT_SECONDS = 10.0
_VENUE_ERROR_EVENTS = frozenset(
    {EVENT_ERROR, EVENT_ALERT, EVENT_SUBSCRIBED_FAILED, EVENT_UNSUBSCRIBED_FAILED}
)
_MAX_FRAME_BYTES = 4 * 1024 * 1024


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
        self._ws_url = ws_url
        self._shown_url = redacted(ws_url)
        self._ping_interval_s = ping_interval_s
        self._silence_timeout_s = silence_timeout_s
        self._open_timeout_s = open_timeout_s
        self._close_timeout_s = close_timeout_s
        self._backoff = Backoff(backoff or BackoffPolicy(), rng)
        self._healthy_after_s = (backoff or BackoffPolicy()).healthy_after_s
        self._stats = FeedStats()
        self._resync_pending: set[str] = set()
        self._resync_wake = asyncio.Event()
        self._last_recv_ns = 0
        self._silent = False
        self._running = False
        self._on_raw_frame = on_raw_frame  # e.g. a FrameRecorder; None costs one check a frame

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
        if self._running:
            raise RuntimeError("KrakenFuturesFeed.run is already running")
        self._running = True
        parser = FrameParser(sink, self._stats)
        try:
            while True:
                opened_ns = 0
                try:
                    async with connect(
                        self._ws_url,
                        open_timeout=self._open_timeout_s,
                        ping_interval=self._ping_interval_s,
                        ping_timeout=self._silence_timeout_s,
                        close_timeout=self._close_timeout_s,
                        max_size=_MAX_FRAME_BYTES,
                    ) as ws:
                        opened_ns = time.monotonic_ns()
                        self._on_open(sink)
                        reason = await self._session(ws, parser, sink)
                except (OSError, TimeoutError, WebSocketException, _NoInfo) as exc:
                    reason = _describe(exc)
                lived_s = (time.monotonic_ns() - opened_ns) / 1e9 if opened_ns else 0.0
                if lived_s >= self._healthy_after_s:
                    self._backoff.reset()
                delay = self._backoff.next_delay()
                log.warning(
                    "Kraken Futures feed disconnected (%s); reconnecting in %.1f s", reason, delay
                )
                sink.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, reason))
                await asyncio.sleep(delay)
        finally:
            self._running = False

    def _on_open(self, sink: FeedSink) -> None:
        stats = self._stats
        if stats.connects:
            stats.reconnects += 1
        stats.connects += 1
        self._silent = False
        self._last_recv_ns = time.monotonic_ns()
        sink.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, self._shown_url))

    async def _session(self, ws: ClientConnection, parser: FrameParser, sink: FeedSink) -> str:
        """One connection from greeting to close; returns why it ended."""
        await self._await_info(ws, parser, sink)
        # A full subscription supersedes any resync asked for while we were away.
        self._resync_pending.clear()
        self._resync_wake.clear()
        await ws.send(subscribe_message(FEED_BOOK, list(self._products)))
        await ws.send(subscribe_message(FEED_HEARTBEAT))
        helpers = (
            asyncio.create_task(self._send_resyncs(ws, sink), name="kraken-futures-resync"),
            asyncio.create_task(self._watch_silence(ws), name="kraken-futures-watchdog"),
        )
        tap = self._on_raw_frame
        try:
            async for raw in ws:
                recv_ns = time.monotonic_ns()
                self._last_recv_ns = recv_ns
                if tap is not None:
                    tap(recv_ns, time.time_ns(), raw)
                frame = parser.parse(raw, recv_ns)
                if frame is not None:
                    self._on_control(frame, parser, sink, recv_ns)
        except ConnectionClosed as exc:
            return self._closed_reason(exc)
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
        return self._closed_reason(None)

    async def _await_info(self, ws: ClientConnection, parser: FrameParser, sink: FeedSink) -> None:
        deadline = time.monotonic() + self._silence_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _NoInfo(f"no info message within {self._silence_timeout_s:g} s")
            try:
                raw = await asyncio.wait_for(ws.recv(), remaining)
            except TimeoutError:
                raise _NoInfo(f"no info message within {self._silence_timeout_s:g} s") from None
            recv_ns = time.monotonic_ns()
            self._last_recv_ns = recv_ns
            if self._on_raw_frame is not None:
                self._on_raw_frame(recv_ns, time.time_ns(), raw)
            frame = parser.parse(raw, recv_ns)
            if frame is None:
                continue
            if frame.event == EVENT_INFO:
                return
            self._on_control(frame, parser, sink, recv_ns)

    def _on_control(self, frame: Frame, parser: FrameParser, sink: FeedSink, recv_ns: int) -> None:
        event = frame.event
        products = [parser.product(p) for p in frame.product_ids or ()]
        if event == EVENT_SUBSCRIBED:
            if frame.feed == FEED_BOOK:
                for product in products:
                    sink.on_feed_event(
                        FeedEvent(FeedEventKind.SUBSCRIBED, FEED_BOOK, product, recv_ns)
                    )
            else:
                sink.on_feed_event(FeedEvent(FeedEventKind.SUBSCRIBED, frame.feed, "", recv_ns))
        elif event in _VENUE_ERROR_EVENTS:
            self._stats.venue_errors += 1
            detail = f"{event}: {frame.message or frame.feed or 'no message'}"
            log.warning("Kraken Futures venue error: %s %s", detail, products or "")
            for product in products or [""]:
                sink.on_feed_event(FeedEvent(FeedEventKind.VENUE_ERROR, detail, product, recv_ns))
        elif event not in (EVENT_INFO, EVENT_UNSUBSCRIBED):
            parser.count_unknown(f"event:{event}")

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

    async def _watch_silence(self, ws: ClientConnection) -> None:
        timeout_ns = int(self._silence_timeout_s * 1e9)
        while True:
            idle_ns = time.monotonic_ns() - self._last_recv_ns
            if idle_ns >= timeout_ns:
                self._silent = True
                self._stats.silent_disconnects += 1
                # A half-open socket would never finish a close handshake: drop it outright.
                ws.transport.abort()
                return
            await asyncio.sleep((timeout_ns - idle_ns) / 1e9)

    def _closed_reason(self, exc: ConnectionClosed | None) -> str:
        if self._silent:
            return f"no frame for {self._silence_timeout_s:g} s"
        if exc is None:
            return "closed by the venue"
        return _describe(exc)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
