"""The WebSocket session loop every venue's feed runs on.

``WebSocketFeed.run(session, sink)`` keeps one connection open until cancelled: connect, hand the
connection to the venue's ``FeedSession`` (greeting, subscriptions, helper tasks, the frames),
and when it ends for any reason tell the sink ``DISCONNECTED`` with the reason, wait a jittered
exponential back-off (reset after a connection that stayed healthy) and connect again. It keeps
the connection counters (``connects``, ``reconnects``, ``silent_disconnects``) and offers the
session what every venue needs:

* ``stream(ws, parse, handle, helpers)``: every frame stamped with ``recv_ns`` (monotonic),
  handed to the recording tap, then to the venue's parser; what the parser hands back (a control
  frame, a product) goes to ``handle``. Nothing else happens per frame: the parser is called
  directly, and the helper tasks are cancelled when the connection ends;
* ``receive(ws, timeout_s)``: one frame, stamped and tapped alike (a greeting);
* ``watch_silence``: no frame at all for ``timeout_s`` (heartbeats included) drops the socket:
  a half-open connection is detected, not waited on;
* ``keep_alive``: our own pings, a missing pong within ``timeout_s`` drops the socket.

A dropped socket is aborted, not closed: a half-open peer would never finish a close handshake.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Protocol, TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from brokers.net.backoff import Backoff, BackoffPolicy
from brokers.net.errors import describe
from brokers.recording.tap import ConnectTap, RawFrameTap
from core.events import FeedEvent, FeedEventKind
from core.ports import FeedSink

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 4 * 1024 * 1024
T = TypeVar("T")


class ConnectionCounters(Protocol):
    """The part of a venue's feed statistics this loop keeps."""

    connects: int  # connections opened (the first one included)
    reconnects: int  # connections opened after a lost one
    silent_disconnects: int  # connections dropped by us: silent, or no pong in time


class FeedSession(Protocol):
    """What a venue's feed does with each connection."""

    def opened(self, sink: FeedSink, recv_ns: int) -> None:
        """A connection is open (the sink has not been told yet)."""

    async def serve(self, ws: ClientConnection, sink: FeedSink) -> None:
        """Everything on this connection until it ends (``ConnectionClosed``, or return)."""


class WebSocketFeed:
    """One WebSocket kept open for a venue's feed. See the module docstring."""

    def __init__(
        self,
        url: str,
        *,
        venue: str,  # in log lines: "Kraken Futures feed disconnected (…)"
        shown_url: str,
        stats: ConnectionCounters,
        backoff: BackoffPolicy,
        rng: random.Random | None = None,
        open_timeout_s: float = 10.0,
        close_timeout_s: float = 2.0,
        ping_interval_s: float | None = None,  # the library's own pings (None: none)
        ping_timeout_s: float | None = None,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        on_raw_frame: RawFrameTap | None = None,
        on_connect: ConnectTap | None = None,
        failures: tuple[type[BaseException], ...] = (),  # more ways a connection fails
    ) -> None:
        self._url = url
        self._venue = venue
        self._shown_url = shown_url
        self._stats = stats
        self._backoff = Backoff(backoff, rng)
        self._open_timeout_s = open_timeout_s
        self._close_timeout_s = close_timeout_s
        self._ping_interval_s = ping_interval_s
        self._ping_timeout_s = ping_timeout_s
        self._max_frame_bytes = max_frame_bytes
        self._on_raw_frame = on_raw_frame  # e.g. a FrameRecorder; None costs one check a frame
        self._on_connect = on_connect
        self._failures = (OSError, TimeoutError, WebSocketException, *failures)
        self._dropped_because: str | None = None  # set by a watchdog that dropped the socket
        self._running = False
        self.last_recv_ns = 0

    @property
    def running(self) -> bool:
        return self._running

    async def run(self, session: FeedSession, sink: FeedSink) -> None:
        """Connect, serve, reconnect until cancelled."""
        if self._running:
            raise RuntimeError(f"{self._venue} feed is already running")
        self._running = True
        try:
            while True:
                opened_ns = 0
                try:
                    async with connect(
                        self._url,
                        open_timeout=self._open_timeout_s,
                        ping_interval=self._ping_interval_s,
                        ping_timeout=self._ping_timeout_s,
                        close_timeout=self._close_timeout_s,
                        max_size=self._max_frame_bytes,
                    ) as ws:
                        opened_ns = time.monotonic_ns()
                        self._opened(session, sink, opened_ns)
                        reason = await self._serve(ws, session, sink)
                except self._failures as exc:
                    reason = describe(exc)
                lived_s = (time.monotonic_ns() - opened_ns) / 1e9
                if opened_ns and lived_s >= self._backoff.policy.healthy_after_s:
                    self._backoff.reset()
                delay = self._backoff.next_delay()
                log.warning(
                    "%s feed disconnected (%s); reconnecting in %.1f s", self._venue, reason, delay
                )
                sink.on_feed_event(FeedEvent(FeedEventKind.DISCONNECTED, reason))
                await asyncio.sleep(delay)
        finally:
            self._running = False

    def _opened(self, session: FeedSession, sink: FeedSink, now_ns: int) -> None:
        stats = self._stats
        if stats.connects:
            stats.reconnects += 1
        stats.connects += 1
        self._dropped_because = None
        self.last_recv_ns = now_ns
        if self._on_connect is not None:
            self._on_connect(now_ns, time.time_ns(), self._shown_url)
        session.opened(sink, now_ns)

    async def _serve(self, ws: ClientConnection, session: FeedSession, sink: FeedSink) -> str:
        """One connection from its opening to its end; returns why it ended."""
        try:
            await session.serve(ws, sink)
        except ConnectionClosed as exc:
            return self._dropped_because or describe(exc)
        return self._dropped_because or "closed by the venue"

    # --- what a session uses ----------------------------------------------------------------
    async def stream(
        self,
        ws: ClientConnection,
        parse: Callable[[bytes | str, int], T | None],
        handle: Callable[[T, int], None],
        helpers: Iterable[tuple[str, Coroutine[Any, Any, None]]] = (),
    ) -> None:
        """Every frame until the connection ends, with ``helpers`` (name, coroutine) running
        beside it; they are cancelled (and awaited) on the way out."""
        tasks = [asyncio.create_task(coro, name=name) for name, coro in helpers]
        tap = self._on_raw_frame
        try:
            async for raw in ws:
                recv_ns = time.monotonic_ns()
                self.last_recv_ns = recv_ns
                if tap is not None:
                    tap(recv_ns, time.time_ns(), raw)
                result = parse(raw, recv_ns)
                if result is not None:
                    handle(result, recv_ns)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def receive(self, ws: ClientConnection, timeout_s: float) -> tuple[bytes | str, int]:
        """One frame and its ``recv_ns`` (tapped like any other); ``TimeoutError`` if none."""
        async with asyncio.timeout(timeout_s):
            raw = await ws.recv()
        recv_ns = time.monotonic_ns()
        self.last_recv_ns = recv_ns
        if self._on_raw_frame is not None:
            self._on_raw_frame(recv_ns, time.time_ns(), raw)
        return raw, recv_ns

    async def watch_silence(self, ws: ClientConnection, timeout_s: float) -> None:
        """Drop the connection when no frame at all arrived for ``timeout_s``."""
        timeout_ns = int(timeout_s * 1e9)
        while True:
            idle_ns = time.monotonic_ns() - self.last_recv_ns
            if idle_ns >= timeout_ns:
                self._drop(ws, f"no frame for {timeout_s:g} s")
                return
            await asyncio.sleep((timeout_ns - idle_ns) / 1e9)

    async def keep_alive(
        self,
        ws: ClientConnection,
        *,
        interval_s: float,
        timeout_s: float,
        on_pong: Callable[[int], None],
    ) -> None:
        """Ping every ``interval_s``; ``on_pong(recv_ns)`` for each pong, and the connection is
        dropped when one does not come within ``timeout_s``."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                waiter = await ws.ping()
                async with asyncio.timeout(timeout_s):
                    await waiter
            except TimeoutError:
                self._drop(ws, f"no pong within {timeout_s:g} s")
                return
            except ConnectionClosed:
                return
            on_pong(time.monotonic_ns())

    def _drop(self, ws: ClientConnection, reason: str) -> None:
        self._dropped_because = reason
        self._stats.silent_disconnects += 1
        ws.transport.abort()  # a half-open socket would never finish a close handshake
