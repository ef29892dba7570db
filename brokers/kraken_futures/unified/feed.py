"""The Kraken Unified public book feed: one ``/v2/public`` connection, kept alive and verified.

On each connection (``brokers.net.WebSocketFeed`` does connect, back-off and reconnect): the venue
sends ``status``; we subscribe ``instrument`` (the precisions the checksum needs) and ``book`` for
every symbol at ``depth``, then every frame goes through ``UnifiedParser`` (checksum verified on
every book message). An application ``ping`` goes out every ``ping_interval_s``; a connection on
which nothing arrives for ``silence_timeout_s`` (the venue's heartbeat is about 1 s) is dropped.

A resync (a checksum mismatch, a book the engine found broken, the venue back ``online``)
unsubscribes and resubscribes that symbol only. Each symbol is resynced at most once per
``resync_interval_s``: a request inside that window waits for its end, and is dropped if a
verified snapshot arrived meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from brokers.kraken_futures.unified.parse import UnifiedParser
from brokers.kraken_futures.unified.stats import UnifiedFeedStats
from brokers.kraken_futures.unified.wire import (
    BOOK_DEPTHS,
    book_request,
    instrument_request,
    ping_request,
)
from brokers.net.backoff import BackoffPolicy
from brokers.net.urls import redacted
from brokers.net.websocket import WebSocketFeed
from brokers.recording.tap import ConnectTap, RawFrameTap
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

log = logging.getLogger(__name__)

RECONNECT_BACKOFF = BackoffPolicy(initial_s=0.25, max_s=5.0)
"""Capped at 5 s: the docs ask clients not to reconnect faster than that after maintenance."""


class KrakenUnifiedFeed:
    """``core.ports.MarketFeed`` for Kraken's Unified WebSocket (public ``book``)."""

    def __init__(
        self,
        products: Sequence[str],
        *,
        ws_url: str,
        depth: int = 25,
        resync_interval_s: float = 1.0,
        ping_interval_s: float = 20.0,
        silence_timeout_s: float = 10.0,
        backoff: BackoffPolicy | None = None,
        rng: random.Random | None = None,
        on_raw_frame: RawFrameTap | None = None,
        on_connect: ConnectTap | None = None,
    ) -> None:
        wanted = tuple(dict.fromkeys(p.strip().upper() for p in products if p.strip()))
        if not wanted:
            raise ValueError("KrakenUnifiedFeed needs at least one symbol")
        if urlsplit(ws_url).scheme not in ("ws", "wss"):
            raise ValueError(
                f"Kraken Unified URL must be ws:// or wss://, got {redacted(ws_url)!r}"
            )
        if depth not in BOOK_DEPTHS:
            raise ValueError(f"book depth must be one of {BOOK_DEPTHS}, got {depth}")
        if min(resync_interval_s, ping_interval_s, silence_timeout_s) <= 0:
            raise ValueError("resync, ping and silence intervals must be positive")
        self._products = wanted
        self._depth = depth
        self._resync_interval_s = resync_interval_s
        self._ping_interval_s = ping_interval_s
        self._silence_timeout_s = silence_timeout_s
        self._shown_url = redacted(ws_url)
        self._stats = UnifiedFeedStats()
        self._connection = WebSocketFeed(
            ws_url,
            venue="Kraken Unified",
            shown_url=self._shown_url,
            stats=self._stats,
            backoff=backoff or RECONNECT_BACKOFF,
            rng=rng,
            on_raw_frame=on_raw_frame,
            on_connect=on_connect,
        )
        self._parser: UnifiedParser | None = None
        self._sink: FeedSink | None = None
        self._req_id = 0
        self._pending: dict[str, float] = {}  # symbol -> when asked (monotonic s)
        self._next_allowed: dict[str, float] = {}
        self._synced_at: dict[str, float] = {}
        self._wake = asyncio.Event()

    def __repr__(self) -> str:
        return f"KrakenUnifiedFeed(products={list(self._products)}, ws_url={self._shown_url!r})"

    @property
    def products(self) -> tuple[str, ...]:
        return self._products

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def ws_url(self) -> str:
        return self._shown_url

    @property
    def stats(self) -> UnifiedFeedStats:
        return self._stats.copy()

    @property
    def system(self) -> str:
        """The venue's last ``status.system`` ("" before the first one on a connection)."""
        return self._parser.system if self._parser is not None else ""

    def resync(self, product: str) -> None:
        """Ask for a fresh snapshot of this symbol (rate-limited per symbol)."""
        wanted = product.strip().upper()
        if wanted not in self._products:
            log.warning("Kraken Unified: resync of %r ignored: not one of this feed's", product)
            return
        self._request_resync(wanted, "asked")

    async def run(self, sink: FeedSink) -> None:
        """Connect, subscribe, deliver events until cancelled; reconnects by itself."""
        if self._connection.running:
            raise RuntimeError("KrakenUnifiedFeed.run is already running")
        self._sink = sink
        self._parser = UnifiedParser(
            sink,
            self._stats,
            depth=self._depth,
            on_resync=self._on_parser_resync,
            on_status=self._on_status,
        )
        await self._connection.run(self, sink)

    # --- one connection (``brokers.net.websocket.FeedSession``) -------------------------------
    def opened(self, sink: FeedSink, recv_ns: int) -> None:
        assert self._parser is not None
        self._parser.reset()
        sink.on_feed_event(FeedEvent(FeedEventKind.CONNECTED, self._shown_url, recv_ns=recv_ns))

    async def serve(self, ws: ClientConnection, sink: FeedSink) -> None:
        parser = self._parser
        assert parser is not None
        self._pending.clear()  # the full subscription below supersedes them
        await ws.send(instrument_request(self._next_req_id()))
        await ws.send(book_request("subscribe", self._products, self._depth, self._next_req_id()))
        connection = self._connection

        def on_reply(reply: dict[str, Any], recv_ns: int) -> None:
            self._on_reply(reply, sink, recv_ns)

        await connection.stream(
            ws,
            parser.parse,
            on_reply,
            helpers=(
                ("kraken-unified-resync", self._send_resyncs(ws, sink)),
                ("kraken-unified-ping", self._ping(ws)),
                ("kraken-unified-watchdog", connection.watch_silence(ws, self._silence_timeout_s)),
            ),
        )

    def _next_req_id(self) -> int:
        self._req_id += 1
        return self._req_id

    def _on_reply(self, reply: dict[str, Any], sink: FeedSink, recv_ns: int) -> None:
        method = reply.get("method")
        if reply.get("success") is not True:
            self._stats.venue_errors += 1
            error = str(reply.get("error", "no error text"))[:200]
            log.warning("Kraken Unified: %s refused: %s", method, error)
            sink.on_feed_event(FeedEvent(FeedEventKind.VENUE_ERROR, error, recv_ns=recv_ns))
            return
        result = reply.get("result")
        if method == "subscribe" and isinstance(result, dict) and result.get("channel") == "book":
            symbol = str(result.get("symbol", ""))
            sink.on_feed_event(FeedEvent(FeedEventKind.SUBSCRIBED, "book", symbol, recv_ns))

    # --- resyncs ------------------------------------------------------------------------------
    def _on_parser_resync(self, symbol: str, reason: str) -> None:
        self._request_resync(symbol, reason)

    def _on_status(self, system: str) -> None:
        if system == "online":
            for symbol in self._products:
                self._request_resync(symbol, "venue back online")

    def _request_resync(self, symbol: str, reason: str) -> None:
        if symbol not in self._pending:
            self._pending[symbol] = time.monotonic()
            log.info("Kraken Unified: resync of %s wanted (%s)", symbol, reason)
        self._wake.set()

    async def _send_resyncs(self, ws: ClientConnection, sink: FeedSink) -> None:
        parser = self._parser
        assert parser is not None
        while True:
            self._wake.clear()
            now = time.monotonic()
            due: list[str] = []
            for symbol, asked in list(self._pending.items()):
                if symbol in parser.books and parser.synced_at.get(symbol, 0.0) > asked:
                    del self._pending[symbol]  # a verified snapshot answered it meanwhile
                elif self._next_allowed.get(symbol, 0.0) <= now:
                    due.append(symbol)
            if due and parser.online:
                try:
                    await ws.send(
                        book_request("unsubscribe", due, self._depth, self._next_req_id())
                    )
                    await ws.send(book_request("subscribe", due, self._depth, self._next_req_id()))
                except ConnectionClosed:
                    return
                for symbol in due:
                    del self._pending[symbol]
                    self._next_allowed[symbol] = now + self._resync_interval_s
                    parser.expect_snapshot(symbol)
                    self._stats.resyncs += 1
                    sink.on_feed_event(
                        FeedEvent(FeedEventKind.RESYNC_REQUESTED, "resubscribed", symbol)
                    )
                continue
            waits = [self._next_allowed.get(s, 0.0) - now for s in self._pending]
            timeout = max(0.01, min(waits)) if waits and parser.online else None
            if self._pending and timeout is not None:
                self._stats.resyncs_deferred += 1
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _ping(self, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self._ping_interval_s)
            try:
                await ws.send(ping_request(self._next_req_id()))
            except ConnectionClosed:
                return
