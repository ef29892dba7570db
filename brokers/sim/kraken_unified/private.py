"""The Unified private WebSocket of the simulated venue (``/v2/private``).

On connect: ``status``. Every request must carry a valid ``params.token`` (from
``GetWebSocketsToken``), else ``success: false``, ``"EAPI:Invalid token"``. Requests:

* ``subscribe`` ``executions`` (snapshot: open orders and, with ``snap_trades``, the last 50
  fills), ``positions`` (one per connection, else ``Already subscribed to positions channel``;
  snapshot then per-event updates, ``size: 0`` on close) and ``balances``;
* ``add_order`` (``asset_class``, ``symbol``, ``side``, ``order_type`` market|limit,
  ``order_qty``, ``cl_ord_id``, ``reduce_only``, ``limit_price``, ``time_in_force``,
  ``deadline``): the reply ``{order_id, cl_ord_id}`` or an error string, then on ``executions``
  ``new``, each ``trade`` (with ``fees``) and ``canceled`` for an unfilled rest, then
  ``positions`` and ``balances`` updates;
* ``cancel_order`` (``order_id`` or ``cl_ord_id`` lists), ``cancel_all`` (``{count}``) and
  ``cancel_all_orders_after`` (``{currentTime, triggerTime}``, ``"0"`` when disarmed; when it
  fires every order is canceled and it stays off until the next request);
* ``ping`` → ``pong``.

A ``deadline`` already past is refused with ``EOrder:Deadline elapsed``, one more than 60 s ahead
with ``EGeneral:Invalid arguments:deadline`` [A: strings]. While ``system`` is not ``online`` no
order matches (docs, ``status``): ``add_order`` is refused (``EOrder:Market in cancel_only
mode`` in ``cancel_only``, else ``EService:Unavailable`` [A: strings; a ``post_only`` limit is
refused too, the adapter sends none]); in ``maintenance`` cancels are refused as well
(``EService:Unavailable``: "existing orders cannot be cancelled"). Fault knobs (``UnifiedFaults``):
refused orders, an executed order whose reply is lost, expired tokens, and the dead man's switch
firing (arming requests lost; an outage of the private socket right after an arming answer).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from brokers.sim.connections import ClientFanout, QueuedClient
from brokers.sim.faults import SimFaults
from brokers.sim.kraken_unified import private_wire as pw
from brokers.sim.kraken_unified import wire
from brokers.sim.kraken_unified.auth import TokenBook
from brokers.sim.kraken_unified.faults import UnifiedFaults
from brokers.sim.market.futures import SimExchange
from brokers.sim.market.orders import (
    NO_ORDER_REFUSALS,
    EndReason,
    OrderKind,
    OrderState,
    SimOrder,
)
from core.enums import Side

log = logging.getLogger(__name__)

INVALID_TOKEN = "EAPI:Invalid token"
INVALID_ARGUMENTS = "EGeneral:Invalid arguments"
INVALID_ORDER = "EOrder:Invalid order"
MAX_DEAD_MAN_S = 86_399
MAX_DEADLINE_NS = 60_500_000_000
SIDES = {"buy": Side.BUY, "sell": Side.SELL}
PRIVATE_CHANNELS = ("executions", "positions", "balances")


class BadRequest(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class PrivateClient(QueuedClient):
    protocol = "kraken-unified-private"

    def __init__(self, ws: web.WebSocketResponse, transport: Any, number: int) -> None:
        super().__init__(ws, transport, number)
        self.key: str | None = None
        self.channels: set[str] = set()


class UnifiedPrivateFeed(ClientFanout[PrivateClient]):
    """Private connections of the whole server. See the module docstring."""

    malformed_frame = wire.MALFORMED_FRAME
    unknown_frames = wire.UNKNOWN_FRAMES

    def __init__(
        self,
        exchange: SimExchange,
        tokens: TokenBook,
        faults: SimFaults,
        unified_faults: UnifiedFaults,
        clock: Callable[[], int],
        *,
        publish_book: Callable[[str, int], None],
    ) -> None:
        super().__init__(faults)
        self.exchange = exchange
        self.tokens = tokens
        self.unified_faults = unified_faults
        self.refused_until_ns = 0  # a simulated outage: no private socket before then
        self._outage: asyncio.Task[None] | None = None
        self.clock = clock
        self.publish_book = publish_book
        self.system = "online"
        self.requests: deque[tuple[int, Any]] = deque(maxlen=1_000)
        self._numbers = 0
        self._sequence = itertools.count(1)
        self._trade_ids = itertools.count(1)

    # --- connections -------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.clock() < self.refused_until_ns:  # the outage of the dead man's switch fault
            return web.Response(status=503, text="outage (simulated)")
        ws = web.WebSocketResponse(autoping=True, compress=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        self._numbers += 1
        client = PrivateClient(ws, request.transport, self._numbers)
        self.clients.add(client)
        client.start()
        status = wire.status_message(self.system, 12_000_000_000_000_000_000 + client.number)
        client.send(orjson.dumps(status).decode())
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_text(client, msg.data)
                elif msg.type is not WSMsgType.BINARY:
                    break
        finally:
            self.forget(client)
            await client.stop()
        return ws

    def _reply(
        self,
        client: PrivateClient,
        method: str,
        req_id: Any,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        message = wire.reply(method, req_id, self.clock(), result=result, error=error)
        client.send(pw.dumps(message), self.faults.take_delay_ms())

    # --- requests ----------------------------------------------------------------------------
    def _on_text(self, client: PrivateClient, data: str) -> None:
        try:
            request = orjson.loads(data)
        except orjson.JSONDecodeError:
            request = None
        if not isinstance(request, dict):
            self._reply(client, "error", None, error=INVALID_ARGUMENTS)
            return
        self.requests.append((client.number, request))
        method, req_id = str(request.get("method")), request.get("req_id")
        params = request.get("params") or {}
        if method == "ping":
            self._reply(client, "pong", req_id)
            return
        handler = {
            "subscribe": self._subscribe,
            "add_order": self._add_order,
            "cancel_order": self._cancel_order,
            "cancel_all": self._cancel_all,
            "cancel_all_orders_after": self._cancel_after,
        }.get(method)
        if handler is None or not isinstance(params, dict):
            self._reply(client, method, req_id, error=INVALID_ARGUMENTS)
            return
        key = self.tokens.account_of(params.get("token"), self.clock())
        if key is None:
            self._reply(client, method, req_id, error=INVALID_TOKEN)
            return
        client.key = key
        try:
            handler(client, key, params, req_id)
        except BadRequest as bad:
            self._reply(client, method, req_id, error=bad.error)

    def _subscribe(
        self, client: PrivateClient, key: str, params: dict[str, Any], req_id: Any
    ) -> None:
        channel, now = params.get("channel"), self.clock()
        if channel not in PRIVATE_CHANNELS:
            raise BadRequest("Subscription name invalid")
        if channel in ("executions", "positions") and params.get("asset_class") != "derivatives":
            raise BadRequest(INVALID_ARGUMENTS + ":asset_class")
        if channel == "positions" and "positions" in client.channels:
            raise BadRequest("Already subscribed to positions channel")
        client.channels.add(str(channel))
        account = self.exchange.account(key)
        result: dict[str, Any] = {"channel": channel, "snapshot": True}
        if channel == "executions":
            result = {"channel": channel, "maxratecount": 125, "snap_orders": True,
                      "snap_trades": bool(params.get("snap_trades"))}  # fmt: skip
        self._reply(client, "subscribe", req_id, result=result)
        if channel == "executions":
            rows = pw.snapshot_rows(account, now)
            if not params.get("snap_trades"):
                rows = [r for r in rows if r["exec_type"] != "trade"]
            client.send(pw.executions_message("snapshot", rows, next(self._sequence)))
        elif channel == "positions" and params.get("snapshot", True):
            rows = [pw.position_row(s, p) for s, p in sorted(account.positions.items())]
            client.send(pw.positions_message("snapshot", rows, now))
        elif channel == "balances":
            client.send(pw.balances_message("snapshot", account, now))

    def _add_order(
        self, client: PrivateClient, key: str, params: dict[str, Any], req_id: Any
    ) -> None:
        now = self.clock()
        if params.get("asset_class") != "derivatives":
            raise BadRequest(INVALID_ARGUMENTS + ":asset_class")
        symbol = str(params.get("symbol", "")).upper()
        if symbol not in self.exchange.market.products:
            raise BadRequest(f"Currency pair not supported {params.get('symbol')}")
        side = SIDES.get(str(params.get("side")))
        order_type = params.get("order_type")
        quantity = _decimal(params.get("order_qty"))
        limit = _decimal(params.get("limit_price")) if "limit_price" in params else None
        if side is None or order_type not in ("market", "limit") or quantity is None:
            raise BadRequest(INVALID_ARGUMENTS)
        if order_type == "limit" and limit is None:
            raise BadRequest(INVALID_ARGUMENTS + ":limit_price")
        _check_deadline(params.get("deadline"), now)
        if self.system != "online":
            raise BadRequest("EOrder:Market in cancel_only mode" if self.system == "cancel_only"
                             else "EService:Unavailable")  # fmt: skip
        refused = self.unified_faults.take_refusal()
        if refused is not None:
            raise BadRequest(refused)
        if order_type == "market":
            kind = OrderKind.MARKET
        else:
            kind = OrderKind.IOC if params.get("time_in_force") == "ioc" else OrderKind.LIMIT
        client_id = params.get("cl_ord_id")
        before = {k: len(a.fills) for k, a in self.exchange.accounts.items()}
        outcome = self.exchange.place(
            key,
            symbol,
            side,
            kind,
            quantity,
            limit_price=limit,
            reduce_only=params.get("reduce_only") is True,
            client_id=client_id if isinstance(client_id, str) and client_id else None,
            now_ns=now,
        )
        if outcome.order is None or outcome.refusal in NO_ORDER_REFUSALS:
            assert outcome.refusal is not None
            raise BadRequest(pw.REFUSAL_ERRORS.get(outcome.refusal, INVALID_ARGUMENTS))
        order = outcome.order
        result = {"order_id": order.order_id}
        if order.client_id is not None:
            result["cl_ord_id"] = order.client_id
        if self.unified_faults.take_lost_answer():
            log.info("sim: add_order %s executed, its answer lost (fault)", order.order_id)
        else:
            self._reply(client, "add_order", req_id, result=result)
        trade_ids = [next(self._trade_ids) for _ in outcome.fills]
        self._publish_order(key, order, outcome.fills, trade_ids, now)
        if outcome.level_changes:
            self.publish_book(symbol, now)
        if any(len(a.fills) != before.get(k, 0) for k, a in self.exchange.accounts.items()):
            self.publish_account(key, {symbol}, now)

    def _publish_order(
        self, key: str, order: SimOrder, fills: list[Any], trade_ids: list[int], now: int
    ) -> None:
        events = pw.order_events(order, fills, now, trade_ids)
        self.send_to(
            key, "executions", pw.executions_message("update", events, next(self._sequence))
        )

    def _cancel_order(
        self, client: PrivateClient, key: str, params: dict[str, Any], req_id: Any
    ) -> None:
        self._cancels_allowed()
        order_ids, client_ids = params.get("order_id"), params.get("cl_ord_id")
        if (order_ids is None) == (client_ids is None):
            raise BadRequest(INVALID_ARGUMENTS)
        wanted = order_ids if order_ids is not None else client_ids
        if not isinstance(wanted, list) or not wanted:
            raise BadRequest(INVALID_ARGUMENTS)
        account, now = self.exchange.account(key), self.clock()
        for ident in wanted:
            order_id = ident if order_ids is not None else account.client_ids.get(str(ident))
            order = account.orders.get(str(order_id)) if order_id else None
            if order is None or order not in list(account.open_orders()):
                self._reply(client, "cancel_order", req_id, error=INVALID_ORDER)
                continue
            order.state, order.reason = OrderState.CANCELLED, EndReason.CANCELLED_BY_USER
            order.updated_ns = now
            result = {"order_id": order.order_id}
            if order.client_id is not None:
                result["cl_ord_id"] = order.client_id
            self._reply(client, "cancel_order", req_id, result=result)
            rows = [pw.ended_event(order, now)]
            self.send_to(
                key, "executions", pw.executions_message("update", rows, next(self._sequence))
            )

    def _cancel_all(
        self, client: PrivateClient, key: str, params: dict[str, Any], req_id: Any
    ) -> None:
        self._cancels_allowed()
        now = self.clock()
        cancelled = self.exchange.cancel_all(key, None, now)
        self._reply(client, "cancel_all", req_id, result={"count": len(cancelled)})
        self.publish_cancels(key, cancelled, now)

    def _cancel_after(
        self, client: PrivateClient, key: str, params: dict[str, Any], req_id: Any
    ) -> None:
        timeout = params.get("timeout")
        if (
            not isinstance(timeout, int)
            or isinstance(timeout, bool)
            or not 0 <= timeout <= MAX_DEAD_MAN_S
        ):
            raise BadRequest(INVALID_ARGUMENTS + ":timeout")
        if timeout and self.unified_faults.take_lost_dead_man_refresh():
            return  # lost on the way: no effect, no answer
        now = self.clock()
        deadline = self.exchange.arm_dead_man(key, timeout, now)
        result = {
            "currentTime": _seconds(now),
            "triggerTime": "0" if deadline is None else _seconds(deadline),
        }
        self._reply(client, "cancel_all_orders_after", req_id, result=result)
        outage_s = self.unified_faults.take_outage_after_arm() if timeout else 0.0
        if outage_s:  # the firing fault: an outage starts right after this answer
            self.refused_until_ns = now + round(outage_s * 1e9)
            self._outage = asyncio.get_running_loop().create_task(self._cut())

    async def _cut(self) -> None:
        """Cut every private socket once the arming answer is out (it must arrive: the client
        then knows the switch's last deadline for sure)."""
        for _ in range(200):
            if not any(client.queued for client in self.clients):
                break
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        await self.close_all()

    def _cancels_allowed(self) -> None:
        if self.system == "maintenance":  # the docs: "existing orders cannot be cancelled"
            raise BadRequest("EService:Unavailable")

    # --- pushes ------------------------------------------------------------------------------
    def send_to(self, key: str, channel: str, text: str) -> None:
        for client in list(self.clients):
            if client.key == key and channel in client.channels:
                client.send(text, self.faults.take_delay_ms())

    def publish_cancels(self, key: str, orders: list[SimOrder], now: int) -> None:
        if orders:
            rows = [pw.ended_event(o, now) for o in orders]
            self.send_to(
                key, "executions", pw.executions_message("update", rows, next(self._sequence))
            )

    def publish_fills(self, key: str, fills: list[Any], now: int) -> None:
        """Fills that happened by themselves (a resting order reached by the market)."""
        account = self.exchange.account(key)
        rows = []
        for fill in fills:
            order = account.orders.get(fill.order_id)
            if order is not None:
                rows.append(pw.trade_event(order, fill, next(self._trade_ids)))
        if rows:
            self.send_to(
                key, "executions", pw.executions_message("update", rows, next(self._sequence))
            )
            self.publish_account(key, {f.product for f in fills}, now)

    def publish_account(self, key: str, symbols: set[str], now: int) -> None:
        account = self.exchange.account(key)
        rows = [pw.position_row(s, account.positions.get(s)) for s in sorted(symbols)]
        self.send_to(key, "positions", pw.positions_message("update", rows, now))
        self.send_to(key, "balances", pw.balances_message("update", account, now))

    def set_system(self, system: str) -> None:
        self.system = system
        for client in self.clients:
            status = wire.status_message(system, 12_000_000_000_000_000_000 + client.number)
            client.send(orjson.dumps(status).decode())

    def heartbeat(self) -> None:
        for client in self.clients:
            if client.channels:
                client.send(wire.HEARTBEAT_TEXT)


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _seconds(ns: int) -> str:
    return wire.rfc3339(ns // 1_000_000_000 * 1_000_000_000).replace(".000000Z", "Z")


def _check_deadline(deadline: object, now_ns: int) -> None:
    if deadline is None:
        return
    if not isinstance(deadline, str):
        raise BadRequest(INVALID_ARGUMENTS + ":deadline")
    try:
        moment = datetime.fromisoformat(deadline.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(INVALID_ARGUMENTS + ":deadline") from None
    if moment.tzinfo is None:
        raise BadRequest(INVALID_ARGUMENTS + ":deadline")
    offset = int(moment.timestamp() * 1e9) - now_ns
    if offset <= 0:
        raise BadRequest("EOrder:Deadline elapsed")
    if offset > MAX_DEADLINE_NS:
        raise BadRequest(INVALID_ARGUMENTS + ":deadline")
