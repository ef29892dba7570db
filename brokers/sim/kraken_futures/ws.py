"""The Kraken Futures WebSocket v1 endpoint of the simulated venue.

Per docs.kraken.com (Futures Websockets guide; feeds "book" and "heartbeat"): on connect the
server sends ``{"event":"info","version":1}``; ``subscribe``/``unsubscribe`` to ``book`` with
``product_ids`` (matched case-insensitively, answered in upper case) get a ``subscribed``/
``unsubscribed`` ack, then a ``book_snapshot`` per product followed by one ``book`` message per
level change, ``seq`` + 1 each per product. ``heartbeat`` subscribers get
``{"feed":"heartbeat","time":ms}`` every few seconds. Errors are ``{"event":"error","message":…}``
with the documented messages ``Invalid product id``, ``Invalid feed`` and ``Json Error``.
WebSocket protocol pings are answered with pongs (the keep-alive the guide asks for).

Readings where the docs are silent (noted so the adapter side can check its own):
* a subscribe naming any unknown product is refused whole (one error, nothing subscribed);
* a request we cannot act on (not JSON, not an object, unknown ``event``, missing
  ``product_ids``) gets ``Json Error`` — the only documented message that fits (real traffic
  has been seen answering ``{"event":"ping"}`` with an ``alert``; we stick to the docs);
* subscribing again to a subscribed product re-sends its snapshot (a resync);
* unsubscribing a product that is not subscribed is still acknowledged;
* feeds other than ``book``/``heartbeat`` (trade, ticker, private feeds) are ``Invalid feed``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from aiohttp import web

from brokers.sim.connections import QueuedClient, RequestFanout
from brokers.sim.faults import SimFaults
from brokers.sim.kraken_futures import wire
from brokers.sim.market.books import LevelChange, SimMarket

log = logging.getLogger(__name__)


UNKNOWN_FIELDS: dict[str, Any] = {
    "x_new_field": {"nested": [1, 2.5, None]},
    "maker_order_count": 3,
    "venue_note": "a field the docs never named",
}
"""Added to book messages by the unknown-fields fault: a client must ignore what it does not know."""

UNKNOWN_FRAMES: tuple[dict[str, Any], ...] = (
    {"feed": "ticker_lite", "product_id": "PF_XBTUSD", "bid": 1.0, "ask": 2.0},
    {"event": "notice", "message": "scheduled maintenance in 10 minutes"},
)
"""Frames of a feed and an event nobody subscribed to (sent by the unknown-frames fault)."""


class WsClient(QueuedClient):
    """One connection: its heartbeat subscription and its outgoing queue."""

    protocol = "kraken"

    def __init__(self, ws: web.WebSocketResponse, transport: Any, number: int) -> None:
        super().__init__(ws, transport, number)
        self.heartbeat = False


class KrakenWsFeed(RequestFanout[WsClient]):
    """Connections, subscriptions and the fan-out of book messages for the whole server."""

    malformed_frame = wire.MALFORMED_FRAME
    unknown_frames = UNKNOWN_FRAMES

    def __init__(
        self,
        market: SimMarket,
        faults: SimFaults,
        seq_base: dict[str, int],
        clock: Callable[[], int],
    ) -> None:
        super().__init__(faults)
        self.market = market
        self.seq_base = seq_base
        self.clock = clock
        self._book_subscribers: dict[str, set[WsClient]] = {p: set() for p in market.products}
        self._seq_shift: dict[str, int] = {p: 0 for p in market.products}  # injected messages
        self._held: dict[str, str] = {}  # a book message held back to be sent out of order

    def seq(self, product: str) -> int:
        """The sequence number of the last book message of ``product`` (sent or dropped)."""
        return self.seq_base[product] + self.market.update_id(product) + self._seq_shift[product]

    # --- connections ----------------------------------------------------------------------
    def new_client(self, ws: web.WebSocketResponse, transport: Any, number: int) -> WsClient:
        return WsClient(ws, transport, number)

    def greet(self, client: WsClient) -> None:
        self._send(client, wire.info())

    def on_binary(self, client: WsClient) -> None:
        self._send(client, wire.ws_error(wire.WS_JSON_ERROR))

    def forget(self, client: WsClient) -> None:
        super().forget(client)
        for subscribers in self._book_subscribers.values():
            subscribers.discard(client)

    # --- requests ---------------------------------------------------------------------------
    def on_text(self, client: WsClient, data: str) -> None:
        try:
            request = orjson.loads(data)
        except orjson.JSONDecodeError:
            self._send(client, wire.ws_error(wire.WS_JSON_ERROR))
            return
        self.requests.append((client.number, request))
        event = request.get("event") if isinstance(request, dict) else None
        if event in ("subscribe", "unsubscribe"):
            self._on_subscription(client, request, subscribe=event == "subscribe")
        elif event == "challenge" and isinstance(request.get("api_key"), str):
            self._send(client, wire.challenge(str(uuid.uuid4())))
        else:
            self._send(client, wire.ws_error(wire.WS_JSON_ERROR))

    def _on_subscription(
        self, client: WsClient, request: dict[str, Any], *, subscribe: bool
    ) -> None:
        feed = request.get("feed")
        event = "subscribed" if subscribe else "unsubscribed"
        if feed == "heartbeat":
            client.heartbeat = subscribe
            self._send(client, wire.subscription_ack(event, "heartbeat", None))
            return
        if feed != "book":
            self._send(client, wire.ws_error(wire.WS_INVALID_FEED))
            return
        raw_ids = request.get("product_ids")
        if (
            not isinstance(raw_ids, list)
            or not raw_ids
            or not all(isinstance(i, str) for i in raw_ids)
        ):
            self._send(client, wire.ws_error(wire.WS_JSON_ERROR))
            return
        product_ids = list(dict.fromkeys(i.upper() for i in raw_ids))
        if any(p not in self._book_subscribers for p in product_ids):
            self._send(client, wire.ws_error(wire.WS_INVALID_PRODUCT))
            return
        if subscribe and any([self.faults.take_ignore_subscribe(p) for p in product_ids]):
            return  # lost on the way: no ack, no snapshot
        self._send(client, wire.subscription_ack(event, "book", product_ids))
        for product in product_ids:
            if subscribe:
                self._book_subscribers[product].add(client)
                self._send(client, self._snapshot(product))
            else:
                self._book_subscribers[product].discard(client)

    def _snapshot(self, product: str) -> dict[str, Any]:
        book = self.market.book(product)
        snapshot = wire.book_snapshot(book, self.seq(product), self._stamp(self.clock()))
        if self.faults.take_cross_snapshot(product):
            snapshot["bids"].insert(0, {"price": wire.num(book.best_ask), "qty": 1})
        return snapshot

    def _stamp(self, now_ns: int) -> int:
        """The venue time written on a message: late when the timestamp-lag fault is on."""
        return now_ns - int(self.faults.timestamp_lag_ms * 1_000_000)

    def _send(self, client: WsClient, message: dict[str, Any]) -> None:
        client.send_json(message, self.faults.take_delay_ms())

    # --- broadcasts ---------------------------------------------------------------------------
    def publish(self, product: str, changes: Sequence[LevelChange], now_ns: int) -> None:
        """Send one ``book`` message per change, the market's latest changes of ``product``.

        Messages are stamped with the publishing time, so a client never sees a ``book``
        message older than the ``book_snapshot`` before it.
        """
        subscribers = self._book_subscribers[product]
        seq = self.seq(product) - len(changes)
        stamp = self._stamp(now_ns)
        if subscribers and self.faults.take_cross(product):
            self._seq_shift[product] += 1
            seq += 1
            best_ask = self.market.book(product, depth=1).best_ask
            bogus = {"feed": "book", "product_id": product, "side": "buy", "seq": seq}
            bogus |= {"price": wire.num(best_ask), "qty": 1, "timestamp": wire.ms(stamp)}
            self._broadcast(subscribers, orjson.dumps(bogus).decode())
        for change in changes:
            seq += 1
            if not subscribers or self.faults.take_drop(product):
                continue
            message = wire.book_delta(product, change, seq, stamp)
            if self.faults.take_unknown_fields():
                message |= UNKNOWN_FIELDS
            text = orjson.dumps(message).decode()
            held = self._held.pop(product, None)
            if held is None and self.faults.take_swap(product):
                self._held[product] = text  # goes out right after the next one
                continue
            copies = 2 if self.faults.take_duplicate(product) else 1
            for _ in range(copies):
                self._broadcast(subscribers, text)
            if held is not None:
                self._broadcast(subscribers, held)

    def _broadcast(self, clients: set[WsClient], text: str) -> None:
        for client in clients:
            client.send(text, self.faults.take_delay_ms())

    def heartbeat(self, now_ns: int) -> None:
        text = orjson.dumps(wire.heartbeat(now_ns)).decode()
        for client in self.clients:
            if client.heartbeat:
                client.send(text, self.faults.take_delay_ms())
