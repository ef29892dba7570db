"""The Unified public WebSocket of the simulated venue (``/v2/public``).

On connect: a ``status`` update (``system`` as the server's current state). Requests are
``{"method", "params", "req_id"}``; replies echo ``req_id`` with ``success`` and ``result`` or one
``error`` string. ``ping`` → ``pong``. ``subscribe``/``unsubscribe`` to ``book`` (``asset_class:
"derivatives"``, ``symbol`` list, ``depth`` 10/25/100/500/1000, default 10): one ack per symbol,
then a snapshot of ``depth`` levels a side and updates, each with the CRC32 of the top 10.
``instrument``: an ack and a snapshot of every listed pair, then an ``update`` of a pair whose
precision changes (``refine_tick``). ``heartbeat`` about once a second to a
subscribed client that was sent nothing else. A ``status`` change is pushed to everyone.

Updates are the difference between what the client was last sent (its depth) and the venue's
book now: changed or new levels with their size, levels that left the book with ``qty: 0``;
levels that only fell below the subscribed depth are not sent (the docs: the client truncates).

Readings where the docs are silent [A], so the adapter can check its own: an unknown symbol is
refused whole with ``Currency pair not supported <SYM>``; an unknown channel gets ``Subscription
name invalid``; an unknown method, a request that is not a JSON object, or a bad param get
``EGeneral:Invalid arguments``; subscribing again to a subscribed (symbol, depth) re-sends its
snapshot (a resync); while ``system`` is not ``online`` book messages keep flowing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson
from aiohttp import web

from brokers.sim.connections import QueuedClient, RequestFanout
from brokers.sim.faults import SimFaults
from brokers.sim.kraken_unified import wire
from brokers.sim.kraken_unified.faults import UnifiedFaults
from brokers.sim.market.books import SimMarket
from brokers.sim.market.products import SimProductSpec

log = logging.getLogger(__name__)

INVALID_ARGUMENTS = "EGeneral:Invalid arguments"
INVALID_CHANNEL = "Subscription name invalid"


@dataclass(slots=True)
class BookSubscription:
    """What one client holds of one symbol: the levels it was last sent, at its depth."""

    depth: int
    bids: tuple[wire.DecimalLevel, ...] = ()
    asks: tuple[wire.DecimalLevel, ...] = ()


class UnifiedClient(QueuedClient):
    protocol = "kraken-unified"

    def __init__(self, ws: web.WebSocketResponse, transport: Any, number: int) -> None:
        super().__init__(ws, transport, number)
        self.books: dict[str, BookSubscription] = {}
        self.subscribed_any = False
        self.instruments = False  # subscribed to ``instrument``
        self.last_sent = time.monotonic()

    def push(self, text: str, delay_ms: float) -> None:
        self.last_sent = time.monotonic()
        self.send(text, delay_ms)


def changed_levels(
    old: tuple[wire.DecimalLevel, ...],
    new: tuple[wire.DecimalLevel, ...],
    venue_sizes: dict[Any, Any],
) -> list[wire.DecimalLevel]:
    """The levels to send so that ``old`` (then truncated) becomes ``new``."""
    was = dict(old)
    changes = [(p, q) for p, q in new if was.get(p) != q]
    now = dict(new)
    changes += [(p, q * 0) for p, q in old if p not in now and p not in venue_sizes]
    return changes


class UnifiedPublicFeed(RequestFanout[UnifiedClient]):
    """Connections, subscriptions and book messages of the whole server."""

    malformed_frame = wire.MALFORMED_FRAME
    unknown_frames = wire.UNKNOWN_FRAMES

    def __init__(
        self,
        market: SimMarket,
        faults: SimFaults,
        unified_faults: UnifiedFaults,
        clock: Callable[[], int],
    ) -> None:
        super().__init__(faults)
        self.market = market
        self.unified_faults = unified_faults
        self.clock = clock
        self.system = "online"
        self.upcoming_maintenance: Callable[[int], list[Any]] = lambda now_ns: []
        self.messages_sent: dict[str, int] = {p: 0 for p in market.products}
        self._listed: dict[str, SimProductSpec] = {}  # a pair as listed now, where it changed

    def spec(self, symbol: str) -> SimProductSpec:
        """The pair as the venue lists it now: its precisions write the book and its checksum."""
        return self._listed.get(symbol) or self.market.spec(symbol)

    def refine_tick(self, symbol: str) -> None:
        """The venue lists ``symbol`` with a tick ten times finer (one more price decimal), as
        when an instrument is re-listed: an ``instrument`` update to each subscriber, and every
        later book message and checksum written at the new precision. The market's prices stay
        on the old tick, which lies on the new one."""
        spec = self.spec(symbol)
        listed = self._listed[symbol] = replace(spec, tick_size=spec.tick_size / 10)
        for client in self.clients:
            if client.instruments:
                self._send(client, wire.instrument_message("update", [listed]))

    # --- connections ----------------------------------------------------------------------
    def new_client(self, ws: web.WebSocketResponse, transport: Any, number: int) -> UnifiedClient:
        return UnifiedClient(ws, transport, number)

    def greet(self, client: UnifiedClient) -> None:
        self._send_status(client)

    def on_binary(self, client: UnifiedClient) -> None:
        self._send(client, wire.reply("error", None, self.clock(), error=INVALID_ARGUMENTS))

    def _send(self, client: UnifiedClient, message: dict[str, Any]) -> None:
        client.push(orjson.dumps(message).decode(), self.faults.take_delay_ms())

    # --- requests ---------------------------------------------------------------------------
    def on_text(self, client: UnifiedClient, data: str) -> None:
        try:
            request = orjson.loads(data)
        except orjson.JSONDecodeError:
            request = None
        if not isinstance(request, dict):
            self._send(client, wire.reply("error", None, self.clock(), error=INVALID_ARGUMENTS))
            return
        self.requests.append((client.number, request))
        method, req_id = request.get("method"), request.get("req_id")
        params = request.get("params") or {}
        now = self.clock()
        if method == "ping":
            self._send(client, wire.reply("pong", req_id, now))
        elif method in ("subscribe", "unsubscribe") and isinstance(params, dict):
            self._on_subscription(client, method, params, req_id)
        else:
            self._send(client, wire.reply(str(method), req_id, now, error=INVALID_ARGUMENTS))

    def _on_subscription(
        self, client: UnifiedClient, method: str, params: dict[str, Any], req_id: Any
    ) -> None:
        channel, now = params.get("channel"), self.clock()
        if channel == "instrument":
            if params.get("asset_class") != wire.ASSET_CLASS:
                self._send(client, wire.reply(method, req_id, now, error=INVALID_ARGUMENTS))
                return
            result = {"channel": "instrument", "snapshot": True}
            self._send(client, wire.reply(method, req_id, now, result=result))
            client.instruments = method == "subscribe"
            if method == "subscribe":
                client.subscribed_any = True
                specs = [self.spec(p) for p in self.market.products]
                self._send(client, wire.instrument_message("snapshot", specs))
            return
        if channel != "book":
            self._send(client, wire.reply(method, req_id, now, error=INVALID_CHANNEL))
            return
        symbols, depth = params.get("symbol"), params.get("depth", 10)
        if (
            params.get("asset_class") != wire.ASSET_CLASS
            or depth not in wire.BOOK_DEPTHS
            or not isinstance(symbols, list)
            or not symbols
            or not all(isinstance(s, str) for s in symbols)
        ):
            self._send(client, wire.reply(method, req_id, now, error=INVALID_ARGUMENTS))
            return
        unknown = [s for s in symbols if s not in self.market.products]
        if unknown:
            error = f"Currency pair not supported {unknown[0]}"
            self._send(client, wire.reply(method, req_id, now, error=error))
            return
        for symbol in dict.fromkeys(symbols):
            if method == "subscribe" and self.faults.take_ignore_subscribe(symbol):
                log.info("sim: subscribe to %s ignored (fault)", symbol)
                continue  # lost on the way: no ack, no snapshot
            result = {"channel": "book", "symbol": symbol, "depth": depth, "snapshot": True}
            self._send(client, wire.reply(method, req_id, now, result=result))
            if method == "unsubscribe":
                client.books.pop(symbol, None)
                continue
            client.subscribed_any = True
            subscription = BookSubscription(depth)
            client.books[symbol] = subscription
            self._send_book(client, symbol, subscription, "snapshot", now)

    # --- book messages ----------------------------------------------------------------------
    def _send_book(
        self, client: UnifiedClient, symbol: str, sub: BookSubscription, kind: str, now_ns: int
    ) -> None:
        view = self.market.book(symbol, depth=sub.depth)
        if kind == "snapshot":
            bids, asks = list(view.bids), list(view.asks)
        else:
            full = self.market.book(symbol)
            bids = changed_levels(sub.bids, view.bids, dict(full.bids))
            asks = changed_levels(sub.asks, view.asks, dict(full.asks))
            if not bids and not asks:
                return
        sub.bids, sub.asks = view.bids, view.asks
        spec = self.spec(symbol)
        crc = wire.checksum(view.asks, view.bids, spec)
        self.messages_sent[symbol] += 1
        if kind == "update" and self.faults.take_drop(symbol):
            return  # lost: the client's copy no longer matches the venue's
        if self.unified_faults.take_wrong_checksum(symbol):
            crc ^= 1
        stamp_ns = now_ns - int(self.faults.timestamp_lag_ms * 1_000_000)
        extra = wire.UNKNOWN_FIELDS if self.faults.take_unknown_fields() else ""
        text = wire.book_message(kind, spec, bids, asks, crc=crc, now_ns=stamp_ns, extra=extra)
        client.push(text, self.faults.take_delay_ms())

    def publish(self, symbol: str, now_ns: int) -> None:
        """The venue's book of ``symbol`` changed: bring every subscriber up to date."""
        for client in list(self.clients):
            sub = client.books.get(symbol)
            if sub is not None:
                self._send_book(client, symbol, sub, "update", now_ns)

    def heartbeat(self, interval_s: float) -> None:
        """A heartbeat to every subscribed client that was sent nothing for ``interval_s``."""
        cutoff = time.monotonic() - interval_s
        for client in self.clients:
            if client.subscribed_any and client.last_sent <= cutoff:
                client.push(wire.HEARTBEAT_TEXT, self.faults.take_delay_ms())

    def set_system(self, system: str) -> None:
        """The trading engine's state changed: push ``status`` to every connection."""
        self.system = system
        for client in self.clients:
            self._send_status(client)

    def _send_status(self, client: UnifiedClient) -> None:
        number = 10_000_000_000_000_000_000 + client.number
        upcoming = self.upcoming_maintenance(self.clock())
        self._send(client, wire.status_message(self.system, number, upcoming))
