"""The Binance.us market-data streams of the simulated venue (``/ws/<stream>``,
``/stream?streams=…``).

Per docs.binance.us ("WebSocket Streams", "Order Book Depth Diff Stream"): stream names are
lower case, ``<symbol>@depth@100ms`` (or ``<symbol>@depth``, every 1000 ms); combined streams wrap
each event as ``{"stream":…,"data":…}``. A ``depthUpdate`` carries every level that changed in its
interval (one entry per price, the latest absolute size, 0 = removed) and the update ids it
covers, ``U`` (first) to ``u`` (last): the next event's ``U`` is this one's ``u + 1``. The server
sends a ping frame every ``ping_interval_s`` (docs: 3 minutes) and drops a connection whose pong
has not come ``pong_timeout_s`` after a ping (docs: 10 minutes); it answers client pings and
cuts every connection ``max_connection_age_s`` after it opened (docs: 24 h). Live
``SUBSCRIBE``/``UNSUBSCRIBE``/``LIST_SUBSCRIPTIONS`` requests are answered as documented.

Readings where the docs are silent: an unknown stream name or symbol in the URL is refused with
HTTP 400 and ``{"code":-1121,"msg":"Invalid symbol."}`` before the upgrade; the lifetime cut is a
close frame 1001 (going away).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from aiohttp import WSCloseCode, WSMessage, WSMsgType, web

from brokers.sim.binance_us import wire
from brokers.sim.connections import ClientFanout, QueuedClient
from brokers.sim.faults import SimFaults
from brokers.sim.market.books import BookView, LevelChange, SimMarket
from core.enums import Side

log = logging.getLogger(__name__)

INTERVALS_MS = {"@depth@100ms": 100, "@depth": 1000}
UNKNOWN_FIELDS: dict[str, Any] = {"x_new_field": {"nested": [1, None]}, "M": True}
"""Added to events by the unknown-fields fault: a client must ignore what it does not know."""
UNKNOWN_EVENTS: tuple[dict[str, Any], ...] = (
    {"e": "trade", "E": 0, "s": "BTCUSDT", "t": 1, "p": "1.0", "q": "1.0"},
    {"e": "kline", "E": 0, "s": "BTCUSDT", "k": {}},
)
"""Events of streams nobody subscribed to (sent by the unknown-frames fault)."""


@dataclass(slots=True)
class _Batch:
    """Level changes of one product since the last event of one interval."""

    first_id: int = 0
    last_id: int = 0
    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    asks: dict[Decimal, Decimal] = field(default_factory=dict)

    def add(self, change: LevelChange, update_id: int) -> None:
        if not self.first_id:
            self.first_id = update_id
        self.last_id = update_id
        side = self.bids if change.side is Side.BUY else self.asks
        side.pop(change.price, None)  # keep the order of the latest change
        side[change.price] = change.size


class StreamClient(QueuedClient):
    """One connection: its streams, its keep-alive state and its outgoing queue."""

    protocol = "binance"

    def __init__(self, ws: web.WebSocketResponse, transport: Any, number: int, now: float) -> None:
        super().__init__(ws, transport, number)
        self.combined = False
        self.streams: dict[str, tuple[str, int]] = {}  # stream name -> (product, interval ms)
        self.connected_at = now
        self.ping_due_at: float | None = None  # when the last unanswered ping was sent
        self.pings_sent = 0
        self.pongs_received = 0

    def too_slow(self) -> None:
        self._loop.create_task(
            self.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"slow consumer")
        )


class BinanceStreams(ClientFanout[StreamClient]):
    """Connections, subscriptions, batching and the fan-out of ``depthUpdate`` events."""

    malformed_frame = wire.MALFORMED_FRAME
    unknown_frames = UNKNOWN_EVENTS

    def __init__(
        self,
        market: SimMarket,
        faults: SimFaults,
        id_base: dict[str, int],
        clock: Callable[[], int],
        *,
        ping_interval_s: float,
        pong_timeout_s: float,
        max_connection_age_s: float,
        history: int = 50,
    ) -> None:
        super().__init__(faults)
        self.market = market
        self.id_base = id_base
        self.clock = clock
        self.ping_interval_s = ping_interval_s
        self.pong_timeout_s = pong_timeout_s
        self.max_connection_age_s = max_connection_age_s
        self.connections = 0  # ever opened
        self.lifetime_cuts = 0
        self.pong_timeouts = 0
        self._batches: dict[tuple[str, int], _Batch] = {
            (p, ms): _Batch() for p in market.products for ms in INTERVALS_MS.values()
        }
        self._next_flush: dict[int, float] = {}
        self._history: dict[str, deque[tuple[int, BookView]]] = {
            p: deque(maxlen=history) for p in market.products
        }
        self._id_shift: dict[str, int] = {p: 0 for p in market.products}  # injected events
        self._held: dict[str, list[tuple[StreamClient, str]]] = {}  # swapped, sent next time

    def last_update_id(self, product: str) -> int:
        return self.id_base[product] + self.market.update_id(product) + self._id_shift[product]

    # --- connections ----------------------------------------------------------------------
    async def handle_raw(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, [request.match_info["stream"]], combined=False)

    async def handle_combined(self, request: web.Request) -> web.StreamResponse:
        names = [s for s in request.query.get("streams", "").split("/") if s]
        return await self._serve(request, names, combined=True)

    def _resolve(self, name: str) -> tuple[str, int] | None:
        for suffix, interval in INTERVALS_MS.items():
            if name.endswith(suffix) and name == name.lower():
                product = name[: -len(suffix)].upper()
                if product in self.market.products:
                    return product, interval
        return None

    async def _serve(
        self, request: web.Request, names: Sequence[str], *, combined: bool
    ) -> web.StreamResponse:
        resolved = {name: self._resolve(name) for name in names}
        if not names or any(r is None for r in resolved.values()):
            return web.json_response(wire.error(-1121), status=400)
        now = asyncio.get_running_loop().time()
        client = await self.accept(
            request,
            lambda ws, transport, number: StreamClient(ws, transport, number, now),
            autoping=False,
            max_msg_size=1 << 16,
        )
        self.connections += 1
        client.combined = combined
        client.streams = {name: r for name, r in resolved.items() if r is not None}
        await self.read(client, self._on_message)
        return client.ws

    async def _on_message(self, client: StreamClient, msg: WSMessage) -> bool:
        if msg.type is WSMsgType.PING:
            await client.ws.pong(msg.data)
        elif msg.type is WSMsgType.PONG:
            client.pongs_received += 1
            client.ping_due_at = None
        elif msg.type is WSMsgType.TEXT:
            self._on_request(client, msg.data)
        elif msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            return False
        return True

    def _on_request(self, client: StreamClient, data: str) -> None:
        """Live ``SUBSCRIBE``/``UNSUBSCRIBE``/``LIST_SUBSCRIPTIONS`` (docs' request shapes)."""
        try:
            request = orjson.loads(data)
        except orjson.JSONDecodeError:
            client.send(orjson.dumps({"code": 3, "msg": "Invalid JSON"}).decode())
            return
        if not isinstance(request, dict) or not isinstance(request.get("id"), int):
            msg = "Invalid request: request ID must be an unsigned integer"
            client.send(orjson.dumps({"code": 2, "msg": msg}).decode())
            return
        method, params, rid = request.get("method"), request.get("params") or [], request["id"]
        if method == "LIST_SUBSCRIPTIONS":
            client.send(orjson.dumps({"result": sorted(client.streams), "id": rid}).decode())
            return
        if method not in ("SUBSCRIBE", "UNSUBSCRIBE") or not isinstance(params, list):
            msg = f"Invalid request: unknown variant {method!r}"
            client.send(orjson.dumps({"code": 2, "msg": msg, "id": rid}).decode())
            return
        for name in params:
            if not isinstance(name, str):
                continue
            if method == "UNSUBSCRIBE":
                client.streams.pop(name, None)
            elif (resolved := self._resolve(name)) is not None:
                client.streams[name] = resolved
        client.send(orjson.dumps({"result": None, "id": rid}).decode())

    async def keep_alive(self, now: float) -> None:
        """Pings, pong deadlines and the connection lifetime cut (called by the server tick)."""
        for client in list(self.clients):
            if now - client.connected_at >= self.max_connection_age_s:
                self.lifetime_cuts += 1
                self.clients.discard(client)
                await client.ws.close(code=WSCloseCode.GOING_AWAY, message=b"lifetime reached")
                continue
            if client.ping_due_at is not None and now - client.ping_due_at >= self.pong_timeout_s:
                self.pong_timeouts += 1
                self.clients.discard(client)
                client.abort()
                continue
            last = client.connected_at + client.pings_sent * self.ping_interval_s
            if now - last >= self.ping_interval_s and not client.ws.closed:
                client.pings_sent += 1
                if client.ping_due_at is None:
                    client.ping_due_at = now
                try:
                    await client.ws.ping()
                except (ConnectionError, RuntimeError):
                    pass  # closing already; the receive loop cleans up

    # --- market data ------------------------------------------------------------------------
    def collect(self, product: str, changes: Sequence[LevelChange]) -> None:
        """Take the market's latest ``changes`` of ``product`` into the pending events."""
        if not changes:
            return
        first = self.last_update_id(product) - len(changes) + 1
        for interval in INTERVALS_MS.values():
            batch = self._batches[(product, interval)]
            for offset, change in enumerate(changes):
                batch.add(change, first + offset)

    def flush(self, now_ns: int, loop_time: float) -> None:
        """Send the events of every interval that is due."""
        for interval in INTERVALS_MS.values():
            due = self._next_flush.get(interval)
            if due is not None and loop_time < due:
                continue
            self._next_flush[interval] = loop_time + interval / 1000
            for product in self.market.products:
                self._emit(product, interval, now_ns)
                if interval == 100:
                    self._history[product].append(
                        (self.last_update_id(product), self.market.book(product))
                    )

    def _emit(self, product: str, interval: int, now_ns: int) -> None:
        batch = self._batches[(product, interval)]
        if not batch.first_id:
            return
        self._batches[(product, interval)] = _Batch()
        faulty = interval == 100  # faults apply to the 100 ms stream (what the adapter reads)
        if faulty and self.faults.take_drop(product):
            return  # its update ids are used up: subscribers see a gap
        subscribers = self._subscribers(product, interval)
        if not subscribers:
            return
        stamp = now_ns - int(self.faults.timestamp_lag_ms * 1_000_000)
        event = wire.depth_update(
            product,
            batch.first_id,
            batch.last_id,
            sorted(batch.bids.items(), reverse=True),
            sorted(batch.asks.items()),
            now_ns=stamp,
        )
        if faulty and self.faults.take_unknown_fields():
            event |= UNKNOWN_FIELDS
        texts = self._texts(event, subscribers)
        held = self._held.pop(product, None) if faulty else None
        if faulty and held is None and self.faults.take_swap(product):
            self._held[product] = texts  # goes out right after the next event
        else:
            copies = 2 if faulty and self.faults.take_duplicate(product) else 1
            for _ in range(copies):
                self._send_all(texts)
            if held is not None:
                self._send_all(held)
        if faulty and self.faults.take_cross(product):
            self._send_crossing(product, subscribers, stamp)

    def _subscribers(self, product: str, interval: int) -> list[tuple[StreamClient, str]]:
        return [
            (c, name)
            for c in self.clients
            for name, (p, ms) in c.streams.items()
            if p == product and ms == interval
        ]

    def _texts(
        self, event: dict[str, Any], subscribers: list[tuple[StreamClient, str]]
    ) -> list[tuple[StreamClient, str]]:
        raw = orjson.dumps(event).decode()
        return [
            (
                client,
                orjson.dumps({"stream": name, "data": event}).decode() if client.combined else raw,
            )
            for client, name in subscribers
        ]

    def _send_all(self, texts: list[tuple[StreamClient, str]]) -> None:
        for client, text in texts:
            client.send(text, self.faults.take_delay_ms())

    def _send_crossing(
        self, product: str, subscribers: list[tuple[StreamClient, str]], stamp: int
    ) -> None:
        """A bogus event with the next update id and a bid at the best ask (100 ms streams)."""
        self._id_shift[product] += 1
        update_id = self.last_update_id(product)
        best_ask = self.market.book(product, depth=1).best_ask
        event = wire.depth_update(
            product, update_id, update_id, [(best_ask, Decimal(1))], [], now_ns=stamp
        )
        self._send_all(self._texts(event, subscribers))

    def snapshot(self, product: str, limit: int, *, stale: bool = False) -> tuple[BookView, int]:
        """The book and its ``lastUpdateId``; ``stale`` gives the oldest one kept instead."""
        history = self._history[product]
        if stale and history:
            last_id, book = history[0]
            return _clip(book, limit), last_id
        return self.market.book(product, depth=limit), self.last_update_id(product)


def _clip(book: BookView, limit: int) -> BookView:
    return BookView(book.product, book.bids[:limit], book.asks[:limit], book.update_id)
