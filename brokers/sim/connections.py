"""The simulated servers' WebSocket clients and what every server does to all of them.

``QueuedClient`` is one connection: an ordered outgoing queue drained by one task (a frame may
be held back by the delay fault, never reordered by it), half-open on demand (nothing sent,
nothing read, the socket left open) and dropped when it falls too far behind, as a venue drops
a slow reader. ``ClientFanout`` is the set of a server's connections and the faults that act on
all of them: accept a connection and read it until it goes (``accept``, ``read``), close
everyone (gracefully or abruptly), go half-open, send malformed and unknown frames. Each
protocol's fan-out adds its subscriptions and its messages. ``RequestFanout`` is the whole
connection handler of a protocol whose clients send JSON text requests (Kraken's v1 and
Unified): greet, hand each text frame on, answer a binary one, stop at anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Generic, TypeVar

import orjson
from aiohttp import WSCloseCode, WSMessage, WSMsgType, web

from brokers.sim.faults import SimFaults

log = logging.getLogger(__name__)

MAX_QUEUED_FRAMES = 50_000
"""A client this far behind is dropped (a venue does not buffer forever for a slow reader)."""
REQUESTS_REMEMBERED = 1_000
CLOSE_TIMEOUT_S = 1.0  # how long a close waits for the peer's close frame


class QueuedClient:
    """One connection and its outgoing queue. ``start()`` the sender, ``stop()`` it at the end."""

    protocol: ClassVar[str] = "sim"  # in task names and log lines: "kraken", "binance"

    def __init__(self, ws: web.WebSocketResponse, transport: Any, number: int) -> None:
        self.ws = ws
        self.transport = transport
        self.number = number
        self.silenced = False  # half-open: nothing sent, nothing read, socket left open
        self._queue: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None
        self._loop = asyncio.get_running_loop()

    def start(self) -> None:
        self._sender = asyncio.create_task(
            self._drain(), name=f"{self.protocol}-sim-ws-sender-{self.number}"
        )

    def send(self, text: str, delay_ms: float = 0.0) -> None:
        """Queue a frame; with a delay it leaves no earlier than ``delay_ms`` from now."""
        if self.ws.closed or self.silenced:
            return
        if self._queue.qsize() >= MAX_QUEUED_FRAMES:
            log.warning(
                "%s sim: client %d is too slow, dropping its connection", self.protocol, self.number
            )
            self.too_slow()
            return
        due = self._loop.time() + delay_ms / 1000 if delay_ms > 0 else 0.0
        self._queue.put_nowait((due, text))

    @property
    def queued(self) -> int:
        """Messages not yet handed to the socket."""
        return self._queue.qsize()

    def send_json(self, message: dict[str, Any], delay_ms: float = 0.0) -> None:
        self.send(orjson.dumps(message).decode(), delay_ms)

    def too_slow(self) -> None:
        """Drop the connection; the receive loop sees the socket go and cleans up."""
        self.abort()

    async def _drain(self) -> None:
        try:
            while True:
                due, text = await self._queue.get()
                if due:
                    wait = due - self._loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                await self.ws.send_str(text)
        except ConnectionError:
            pass  # the peer went away; the receive loop notices and cleans up

    async def stop(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None

    def go_silent(self) -> None:
        """Half-open: stop sending and stop reading (pings go unanswered); keep the socket."""
        self.silenced = True
        if self.transport is not None and isinstance(self.transport, asyncio.ReadTransport):
            self.transport.pause_reading()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        if self.transport is not None:
            self.transport.abort()


C = TypeVar("C", bound=QueuedClient)


class ClientFanout(Generic[C]):
    """A server's connections and the faults that act on all of them."""

    malformed_frame: ClassVar[str]  # a frame cut short, as the protocol would send it
    unknown_frames: ClassVar[tuple[dict[str, Any], ...]]  # frames nobody subscribed to

    def __init__(self, faults: SimFaults) -> None:
        self.faults = faults
        self.clients: set[C] = set()
        self._silenced: set[C] = set()
        self._numbers = 0  # connections ever accepted: each client's number

    async def accept(
        self,
        request: web.Request,
        new_client: Callable[[web.WebSocketResponse, Any, int], C],
        **ws_options: Any,
    ) -> C:
        """Upgrade ``request`` (``ws_options`` for ``WebSocketResponse``), number the connection,
        add its client and start its sender."""
        ws = web.WebSocketResponse(**ws_options)
        await ws.prepare(request)
        self._numbers += 1
        client = new_client(ws, request.transport, self._numbers)
        self.clients.add(client)
        client.start()
        return client

    async def read(self, client: C, on_message: Callable[[C, WSMessage], Awaitable[bool]]) -> None:
        """Hand ``client``'s frames to ``on_message`` until it answers False or the socket goes;
        then nothing more is sent to the client and its sender stops."""
        try:
            async for msg in client.ws:
                if not await on_message(client, msg):
                    break
        finally:
            self.forget(client)
            await client.stop()

    def forget(self, client: C) -> None:
        """``client`` is gone (or going): nothing more is sent to it."""
        self.clients.discard(client)

    async def close_all(self, *, abrupt: bool = False) -> None:
        """Disconnect everyone: a close frame (1001 going away) or, abruptly, a dropped socket."""
        clients = list(self.clients)
        for client in clients:
            self.forget(client)
            if abrupt:
                client.abort()
        for client in self._silenced:  # half-open ones: nobody will ever close them otherwise
            client.abort()
            await client.stop()
        self._silenced.clear()
        if not abrupt:
            await asyncio.gather(
                *(
                    c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server going away")
                    for c in clients
                ),
                return_exceptions=True,
            )
        for client in clients:
            await client.stop()

    def half_open_all(self) -> None:
        """Every current connection goes silent both ways (see ``SimFaults.half_open_all``)."""
        for client in list(self.clients):
            self.forget(client)
            client.go_silent()
            self._silenced.add(client)

    def send_malformed(self, count: int) -> None:
        for client in self.clients:
            for _ in range(count):
                client.send(self.malformed_frame, self.faults.take_delay_ms())

    def send_unknown(self, count: int) -> None:
        frames = self.unknown_frames
        for client in self.clients:
            for i in range(count):
                client.send_json(frames[i % len(frames)], self.faults.take_delay_ms())


class RequestFanout(ClientFanout[C]):
    """The connection handler of a protocol whose clients send JSON text requests.

    A subclass says how a client is made (``new_client``), what it is told on connect
    (``greet``), and how a text request (``on_text``) and a binary frame (``on_binary``) are
    answered. What clients asked is kept in ``requests``, oldest first.
    """

    def __init__(self, faults: SimFaults) -> None:
        super().__init__(faults)
        self.requests: deque[tuple[int, Any]] = deque(maxlen=REQUESTS_REMEMBERED)
        """What clients asked, oldest first: (connection number, parsed request)."""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        # No permessage-deflate: the docs do not mention it, and plain frames keep latency honest.
        client = await self.accept(
            request,
            self.new_client,
            autoping=True,
            compress=False,
            max_msg_size=1 << 20,
            timeout=CLOSE_TIMEOUT_S,
        )
        self.greet(client)
        await self.read(client, self._on_message)
        return client.ws

    async def _on_message(self, client: C, msg: WSMessage) -> bool:
        if msg.type is WSMsgType.TEXT:
            self.on_text(client, msg.data)
        elif msg.type is WSMsgType.BINARY:
            self.on_binary(client)
        else:
            return False
        return True

    def new_client(self, ws: web.WebSocketResponse, transport: Any, number: int) -> C:
        raise NotImplementedError

    def greet(self, client: C) -> None:
        """What a client is sent on connect."""

    def on_text(self, client: C, data: str) -> None:
        raise NotImplementedError

    def on_binary(self, client: C) -> None:
        raise NotImplementedError
