"""The Unified private socket (``/v2/private``): one connection kept open, its token, its streams.

Each connection: a fresh token (``TokenSource``), then ``executions`` (open orders and the last
50 fills as a snapshot), ``positions`` and ``balances`` subscribed with ``params.token``. Pushes
feed an ``AccountState``; method replies are matched to their request by ``req_id``. The socket
is dropped when nothing arrives for ``silence_timeout_s`` (the venue's heartbeat is ~1 s once
subscribed) and reconnected with back-off, with a new token. A token the venue calls invalid
(``EAPI:Invalid token``), in the answer to a subscription or to any request, drops the
connection too: the next one brings a new token. The socket itself stays open when a token goes
stale mid-session (PROTOCOL.md §8 item 3), so waiting for it to close would wait for ever.

``request`` never sends a request twice when the venue may have acted on it: a reply lost with
the connection raises ``VenueAnswerLost``, and the caller settles it from the executions stream
(by ``cl_ord_id``). The one resend: a request refused for its token, which the venue did not
act on, goes out once more on the next connection with the new token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from brokers.kraken_futures.unified.account import AccountState
from brokers.kraken_futures.unified.private_wire import loads_exact, request_text, subscribe_params
from brokers.kraken_futures.unified.token import TokenSource
from brokers.net.backoff import Backoff, BackoffPolicy
from brokers.net.errors import VenueAnswerLost
from brokers.net.urls import redacted
from core.ports import VenueError

log = logging.getLogger(__name__)

CHANNELS = ("executions", "positions", "balances")
TOKEN_ERRORS = ("EAPI:Invalid token", "ESession:Invalid session")
FATAL_ERRORS = ("EAPI:Invalid key", "EAPI:Invalid signature", "Permission denied")
BACKOFF = BackoffPolicy(initial_s=0.25, max_s=5.0)


@dataclass(slots=True)
class PrivateCounters:
    connects: int = 0
    reconnects: int = 0
    token_errors: int = 0
    venue_errors: int = 0
    dropped_frames: int = 0
    last_error: str = ""


class UnifiedPrivateSession:
    """See the module docstring. ``start()`` returns once the first connection is subscribed."""

    def __init__(
        self,
        ws_url: str,
        tokens: TokenSource,
        *,
        request_timeout_s: float = 10.0,
        ping_interval_s: float = 20.0,
        silence_timeout_s: float = 15.0,
        backoff: BackoffPolicy = BACKOFF,
    ) -> None:
        self._url = ws_url
        self.shown_url = redacted(ws_url)
        self.tokens = tokens
        self.state = AccountState()
        self.counters = PrivateCounters()
        self._request_timeout_s = request_timeout_s
        self._ping_interval_s = ping_interval_s
        self._silence_timeout_s = silence_timeout_s
        self._backoff = Backoff(backoff)
        self._ws: ClientConnection | None = None
        self._token = ""
        self._req_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ready = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._fatal: VenueError | None = None
        self.on_problem: Callable[[str], None] | None = None

    def __repr__(self) -> str:
        return f"UnifiedPrivateSession(ws_url={self.shown_url!r})"

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def start(self, timeout_s: float = 15.0) -> None:
        """Connect and subscribe; ``VenueError`` (one line) if that fails within ``timeout_s``."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="kraken-unified-private")
        try:
            async with asyncio.timeout(timeout_s):
                while not self._ready.is_set():
                    if self._fatal is not None:
                        raise self._fatal
                    if self._task.done():
                        self._task.result()
                    await self._wait_change(0.2)
        except TimeoutError:
            why = self.counters.last_error or "no answer"
            raise VenueError(
                f"Kraken Unified private socket not ready: {why}", retryable=True
            ) from None

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.tokens.close()

    # --- requests --------------------------------------------------------------------------
    async def request(
        self, method: str, params: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send one private request (token added) and return its reply, ``success`` or not.

        ``VenueAnswerLost`` when the reply does not come (connection lost, timeout): the venue
        may have acted. ``VenueError`` (retryable) when there is no connection to send on.
        """
        reply = await self._request_once(method, params, timeout_s)
        if not token_refused(reply):
            return reply
        log.info("Kraken Unified %s: token refused; sending it again with a new token", method)
        return await self._request_once(method, params, timeout_s)

    async def _request_once(
        self, method: str, params: dict[str, Any], timeout_s: float | None
    ) -> dict[str, Any]:
        if self._fatal is not None:
            raise self._fatal
        try:
            async with asyncio.timeout(self._request_timeout_s):
                await self._ready.wait()
        except TimeoutError:
            raise VenueError(
                f"Kraken Unified {method}: not connected ({self.counters.last_error})",
                retryable=True,
                code="not_connected",
            ) from None
        ws = self._ws
        assert ws is not None
        self._req_id += 1
        req_id = self._req_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            try:
                await ws.send(request_text(method, {**params, "token": self._token}, req_id))
            except ConnectionClosed:
                raise VenueError(
                    f"Kraken Unified {method}: connection lost before sending",
                    retryable=True,
                    code="not_sent",
                ) from None
            try:
                async with asyncio.timeout(timeout_s or self._request_timeout_s):
                    return await future
            except TimeoutError:
                raise VenueAnswerLost(
                    f"Kraken Unified {method}: no answer within "
                    f"{timeout_s or self._request_timeout_s:g} s",
                    code="timeout",
                ) from None
        finally:
            self._pending.pop(req_id, None)

    async def wait_until(self, done: Callable[[], bool], timeout_s: float) -> bool:
        """Wait (bounded) until ``done()`` holds after some push; its last value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not done():
            left = deadline - loop.time()
            if left <= 0:
                return False
            await self._wait_change(left)
        return True

    async def _wait_change(self, timeout_s: float) -> None:
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._changed.wait()

    # --- the connection loop -----------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            try:
                self._token = await self.tokens.fetch()
                async with connect(self._url, open_timeout=10, close_timeout=2) as ws:
                    self.counters.connects += 1
                    if self.counters.connects > 1:
                        self.counters.reconnects += 1
                    await self._serve(ws)
            except asyncio.CancelledError:
                raise
            except VenueError as exc:
                self.counters.last_error = str(exc)
                if not exc.retryable and exc.code not in ("unreachable",):
                    log.warning("Kraken Unified private: %s", exc)
                    if self.counters.connects == 0 or exc.code == "missing_credentials":
                        self._fatal = exc
                        self._changed.set()
                        return
            except (OSError, TimeoutError, WebSocketException) as exc:
                self.counters.last_error = f"{type(exc).__name__}: {exc}"[:200]
            finally:
                self._lost()
            log.info(
                "Kraken Unified private socket down (%s); reconnecting", self.counters.last_error
            )
            if self.on_problem is not None:
                self.on_problem(f"private socket down ({self.counters.last_error}); reconnecting")
            await asyncio.sleep(self._backoff.next_delay())

    def _lost(self) -> None:
        self._ready.clear()
        self._ws = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(
                    VenueAnswerLost("Kraken Unified: connection lost before the answer")
                )
        self._changed.set()

    async def _serve(self, ws: ClientConnection) -> None:
        self._ws = ws
        state = self.state
        state.executions_snapshot = state.positions_snapshot = state.balances_snapshot = False
        for number, channel in enumerate(CHANNELS, start=1):
            await ws.send(
                request_text("subscribe", subscribe_params(channel, self._token), -number)
            )
        pinger = asyncio.create_task(self._ping(ws), name="kraken-unified-private-ping")
        try:
            while True:
                try:
                    async with asyncio.timeout(self._silence_timeout_s):
                        raw = await ws.recv()
                except TimeoutError:
                    self.counters.last_error = f"silent for {self._silence_timeout_s:g} s"
                    ws.transport.abort()
                    return
                if self._on_frame(raw):
                    return
        except ConnectionClosed as exc:
            self.counters.last_error = f"closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        finally:
            pinger.cancel()

    async def _ping(self, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self._ping_interval_s)
            self._req_id += 1
            with contextlib.suppress(ConnectionClosed):
                await ws.send(request_text("ping", {}, self._req_id).replace(',"params":{}', ""))

    def _on_frame(self, raw: str | bytes) -> bool:
        """Handle one frame; True when the connection must be dropped (a stale token)."""
        try:
            message = loads_exact(raw)
        except ValueError:
            self.counters.dropped_frames += 1
            return False
        if not isinstance(message, dict):
            self.counters.dropped_frames += 1
            return False
        channel = message.get("channel")
        if channel is not None:
            self._on_push(str(channel), message)
            return False
        return self._on_reply(message)

    def _on_push(self, channel: str, message: dict[str, Any]) -> None:
        kind, data = str(message.get("type", "")), message.get("data")
        state = self.state
        if channel == "executions":
            state.on_executions(kind, data if isinstance(data, list) else [])
        elif channel == "positions":
            state.on_positions(kind, data)
        elif channel == "balances":
            state.on_balances(kind, data)
        elif channel not in ("heartbeat", "status"):
            self.counters.dropped_frames += 1
            return
        if not self._ready.is_set() and state.executions_snapshot and state.positions_snapshot:
            self._backoff.reset()
            self._ready.set()
        self._changed.set()

    def _on_reply(self, reply: dict[str, Any]) -> bool:
        req_id = reply.get("req_id")
        future = self._pending.get(req_id) if isinstance(req_id, int) else None
        if future is not None and not future.done():
            future.set_result(reply)
        if reply.get("success") is True or reply.get("method") == "pong":
            return False
        error = str(reply.get("error", "no error text"))[:200]
        self.counters.venue_errors += 1
        if token_refused(reply):  # stale on this connection: a new one brings a new token
            self.counters.token_errors += 1
            self.counters.last_error = f"{reply.get('method')} refused: {error}"
            log.warning("Kraken Unified private: %s; reconnecting", self.counters.last_error)
            self._ready.clear()  # nothing more goes out on this connection
            return True
        if isinstance(req_id, int) and req_id < 0:  # one of our subscriptions was refused
            self.counters.last_error = f"{reply.get('method')} refused: {error}"
            log.warning("Kraken Unified private: %s", self.counters.last_error)
            if any(fatal in error for fatal in FATAL_ERRORS):
                self._fatal = VenueError(f"Kraken Unified: {error}", code="auth")
                return True
        return False


def token_refused(reply: dict[str, Any]) -> bool:
    """The venue refused a request for its token (it did not act on it)."""
    return reply.get("success") is not True and str(reply.get("error", "")).startswith(TOKEN_ERRORS)
