"""The Binance.us REST endpoints of the simulated venue.

Public: ``GET /api/v3/ping``, ``/api/v3/time``, ``/api/v3/exchangeInfo``, ``/api/v3/depth``.
Signed (``X-MBX-APIKEY`` + HMAC-SHA256 ``signature``, ``timestamp``, ``recvWindow``):
``POST /api/v3/order``, ``POST /api/v3/order/test``, ``GET /api/v3/order``,
``GET``/``DELETE /api/v3/openOrders``, ``GET /api/v3/myTrades``, ``GET /api/v3/account``,
``GET /sapi/v1/asset/query/trading-fee``, ``GET /sapi/v1/system/status``.

Per docs.binance.us: parameters may come in the query string or a form body, and the query
string wins; a signed request is accepted when ``timestamp < serverTime + 1000`` and
``serverTime - timestamp <= recvWindow`` (default 5000, at most 60000), else ``-1021``; a bad
signature is ``-1022``, an unknown key ``-2015``. Every answer carries
``X-MBX-USED-WEIGHT-1M``; going over ``weight_limit_1m`` in a minute answers 429 with
``Retry-After`` (seconds to the next minute) and ``-1003``; a client that keeps calling during
that window is banned: 418. ``requests_while_limited`` counts such calls (a good client makes
none).

Readings where the docs leave room (the sim's choices): only MARKET orders (by ``quantity``)
and LIMIT orders with ``timeInForce=IOC`` are supported, anything else is ``-1014`` "Unsupported
order combination"; nothing ever rests, so ``DELETE /api/v3/openOrders`` answers ``-2011``
"Unknown order sent." and ``GET /api/v3/openOrders`` ``[]``; HTTP status 400 for request errors,
401 for key errors.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

from brokers.sim.binance_us import wire
from brokers.sim.binance_us.auth import total_params, verify
from brokers.sim.binance_us.ws import BinanceStreams
from brokers.sim.faults import RestFault, SimFaults
from brokers.sim.market.books import SimMarket
from brokers.sim.market.spot import SpotExchange
from core.enums import Side

MAX_RECV_WINDOW_MS = 60_000
DEFAULT_RECV_WINDOW_MS = 5000
CLIENT_ORDER_ID = re.compile(r"^[.A-Za-z:/0-9_-]{1,36}$")
SIDES = {"BUY": Side.BUY, "SELL": Side.SELL}
DEPTH_LIMIT_MAX = 5000
BAN_AFTER_VIOLATIONS = 3
BAN_S = 120.0


class ApiError(Exception):
    """Answer with ``{"code", "msg"}`` and this HTTP status."""

    def __init__(self, code: int, status: int = 400, msg: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.msg = msg


@dataclass(frozen=True, slots=True)
class Call:
    key: str
    params: dict[str, str]
    now_ns: int

    def one(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value else None

    def required(self, name: str) -> str:
        value = self.one(name)
        if value is None:
            raise ApiError(
                -1102,
                msg=f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
            )
        return value


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the sim saw it (for tests: what was sent, and when)."""

    method: str
    endpoint: str
    key: str
    params: dict[str, str]
    monotonic: float


Handler = Callable[[Call], Any]
Weight = int | Callable[[dict[str, str]], int]


class BinanceRestApi:
    """Routing, rate limits, faults and authentication, then the endpoint."""

    def __init__(
        self,
        market: SimMarket,
        *,
        exchange: SpotExchange,
        streams: BinanceStreams,
        faults: SimFaults,
        credentials: dict[str, str],
        clock: Callable[[], int],
        weight_limit_1m: int = wire.REQUEST_WEIGHT_PER_MINUTE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.market = market
        self.exchange = exchange
        self.streams = streams
        self.faults = faults
        self.credentials = dict(credentials)
        self.clock = clock
        self.weight_limit_1m = weight_limit_1m
        self.monotonic = monotonic
        self.requests: list[RequestRecord] = []
        self.requests_while_limited = 0
        self._minute = -1
        self._used_weight = 0
        self._limited_until = 0.0
        self._banned_until = 0.0

    def add_routes(self, app: web.Application) -> None:
        public: list[tuple[str, str, Handler, Weight]] = [
            ("GET", "/api/v3/ping", lambda call: {}, 1),
            ("GET", "/api/v3/time", lambda call: wire.server_time(call.now_ns), 1),
            ("GET", "/api/v3/exchangeInfo", self._exchange_info, 10),
            ("GET", "/api/v3/depth", self._depth, _depth_weight),
        ]
        signed: list[tuple[str, str, Handler, Weight]] = [
            ("POST", "/api/v3/order", self._new_order, 1),
            ("POST", "/api/v3/order/test", self._test_order, 1),
            ("GET", "/api/v3/order", self._query_order, 2),
            ("GET", "/api/v3/openOrders", self._open_orders, 3),
            ("DELETE", "/api/v3/openOrders", self._cancel_open_orders, 1),
            ("GET", "/api/v3/myTrades", self._my_trades, 10),
            ("GET", "/api/v3/account", self._account, 10),
            ("GET", "/sapi/v1/asset/query/trading-fee", self._trade_fee, 1),
            ("GET", "/sapi/v1/system/status", self._system_status, 1),
        ]
        for method, path, handler, weight in public:
            app.router.add_route(method, path, self._route(path, handler, weight, signed=False))
        for method, path, handler, weight in signed:
            app.router.add_route(method, path, self._route(path, handler, weight, signed=True))

    def _route(
        self, path: str, handler: Handler, weight: Weight, *, signed: bool
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        endpoint = path.removeprefix("/api/v3/").removeprefix("/sapi/v1/")

        async def serve(request: web.Request) -> web.Response:
            now_ns, mono = self.clock(), self.monotonic()
            body = (await request.read()).decode("utf-8", "replace")
            query = request.rel_url.raw_query_string
            params = dict(parse_qsl(body, keep_blank_values=True))
            params.update(parse_qsl(query, keep_blank_values=True))  # the query string wins
            key = request.headers.get("X-MBX-APIKEY", "")
            self.requests.append(RequestRecord(request.method, endpoint, key, params, mono))
            limited = self._limited(mono)
            if limited is not None:
                return limited
            fault = self.faults.take_rest(endpoint)
            if fault is not None and not fault.after_execute:
                if fault.hang_s:  # a gateway that holds the request, then gives up
                    await asyncio.sleep(fault.hang_s)
                return self._fault_response(fault, mono)
            cost = weight(params) if callable(weight) else weight
            over = self._spend(cost, now_ns, mono)
            if over is not None:
                return over
            try:
                call_key = self._authenticate(key, query, body, params, now_ns) if signed else ""
                answer, status = handler(Call(call_key, params, now_ns)), 200
            except ApiError as exc:
                answer, status = wire.error(exc.code, exc.msg), exc.status
            if fault is not None:
                return self._fault_response(fault, mono)
            return web.Response(
                status=status,
                body=orjson.dumps(answer),
                content_type="application/json",
                headers={"X-MBX-USED-WEIGHT-1M": str(self._used_weight)},
            )

        return serve

    # --- limits and faults --------------------------------------------------------------------
    def _limited(self, mono: float) -> web.Response | None:
        """A call inside a 429/418 window: the client did not back off."""
        if mono < self._banned_until:
            self.requests_while_limited += 1
            return _limit_response(418, self._banned_until - mono)
        if mono < self._limited_until:
            self.requests_while_limited += 1
            if self.requests_while_limited >= BAN_AFTER_VIOLATIONS:
                self._banned_until = mono + BAN_S
                return _limit_response(418, BAN_S)
            return _limit_response(429, self._limited_until - mono)
        return None

    def _spend(self, cost: int, now_ns: int, mono: float) -> web.Response | None:
        minute = now_ns // 60_000_000_000
        if minute != self._minute:
            self._minute, self._used_weight = minute, 0
        self._used_weight += cost
        if self._used_weight <= self.weight_limit_1m:
            return None
        retry = max(1.0, 60.0 - (now_ns % 60_000_000_000) / 1e9)
        self._limited_until = mono + retry
        return _limit_response(429, retry)

    def _fault_response(self, fault: RestFault, mono: float) -> web.Response:
        headers = {}
        if fault.retry_after_s is not None:
            headers["Retry-After"] = str(int(fault.retry_after_s))
            if fault.status == 418:
                self._banned_until = mono + fault.retry_after_s
            elif fault.status == 429:
                self._limited_until = mono + fault.retry_after_s
        if fault.error is not None:
            return web.Response(
                status=fault.status,
                body=orjson.dumps(wire.error(int(fault.error))),
                content_type="application/json",
                headers=headers,
            )
        return web.Response(status=fault.status, text=f"HTTP {fault.status}", headers=headers)

    def _authenticate(
        self, key: str, query: str, body: str, params: dict[str, str], now_ns: int
    ) -> str:
        if not key:
            raise ApiError(-2014, 401, "API-key format invalid.")
        secret = self.credentials.get(key)
        if secret is None:
            raise ApiError(-2015, 401)
        message, signature = total_params(query, body)
        if signature is None:
            raise ApiError(
                -1102,
                msg="Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
            )
        if not verify(secret, message, signature):
            raise ApiError(-1022)
        timestamp = _int(params.get("timestamp"), "timestamp")
        window = _int(params.get("recvWindow") or str(DEFAULT_RECV_WINDOW_MS), "recvWindow")
        if not 0 < window <= MAX_RECV_WINDOW_MS:
            raise ApiError(-1102, msg="recvWindow must be less than 60000")
        server_ms = now_ns // 1_000_000
        if timestamp >= server_ms + 1000:
            raise ApiError(
                -1021, msg="Timestamp for this request was 1000ms ahead of the server's time."
            )
        if server_ms - timestamp > window:
            raise ApiError(-1021)
        return key

    # --- endpoints ----------------------------------------------------------------------------
    def _symbol(self, raw: str) -> str:
        symbol = raw.strip().upper()
        if symbol not in self.market.products:
            raise ApiError(-1121)
        return symbol

    def _exchange_info(self, call: Call) -> Any:
        wanted = list(self.market.products)
        if call.one("symbol"):
            wanted = [self._symbol(call.required("symbol"))]
        elif call.one("symbols"):
            raw = call.required("symbols").strip("[]")
            wanted = [self._symbol(s.strip().strip("\"'")) for s in raw.split(",") if s.strip()]
        specs = [self.market.spec(p) for p in wanted]
        return wire.exchange_info(specs, self.exchange, call.now_ns)

    def _depth(self, call: Call) -> Any:
        symbol = self._symbol(call.required("symbol"))
        limit = min(_int(call.one("limit") or "100", "limit"), DEPTH_LIMIT_MAX)
        if limit < 1:
            raise ApiError(-1102, msg="Parameter 'limit' is not valid.")
        stale = self.faults.take_stale_snapshot(symbol)
        book, last_id = self.streams.snapshot(symbol, limit, stale=stale)
        return wire.depth(book, last_id)

    def _order_args(self, call: Call) -> tuple[str, Side, Decimal, Decimal | None, str]:
        symbol = self._symbol(call.required("symbol"))
        side = SIDES.get(call.required("side"))
        if side is None:
            raise ApiError(-1117)
        order_type = call.required("type")
        if order_type not in (
            "MARKET",
            "LIMIT",
            "LIMIT_MAKER",
            "STOP_LOSS_LIMIT",
            "TAKE_PROFIT_LIMIT",
        ):
            raise ApiError(-1116)
        if call.one("quoteOrderQty") or order_type not in ("MARKET", "LIMIT"):
            raise ApiError(-1014, msg="Unsupported order combination.")
        quantity = _decimal(call.required("quantity"), "quantity")
        price = None
        if order_type == "LIMIT":
            if call.required("timeInForce") != "IOC":
                raise ApiError(-1014, msg="Unsupported order combination.")
            price = _decimal(call.required("price"), "price")
        elif call.one("timeInForce") or call.one("price"):
            raise ApiError(-1106, msg="Parameter 'price' sent when not required.")
        client_id = call.one("newClientOrderId") or f"sim{time.monotonic_ns()}"
        if not CLIENT_ORDER_ID.match(client_id):
            raise ApiError(-1100)
        return symbol, side, quantity, price, client_id

    def _new_order(self, call: Call) -> Any:
        symbol, side, quantity, price, client_id = self._order_args(call)
        response_type = call.one("newOrderRespType") or "FULL"
        if response_type not in ("ACK", "RESULT", "FULL"):
            raise ApiError(-1102, msg="Parameter 'newOrderRespType' is not valid.")
        outcome = self.exchange.place(
            call.key, symbol, side, quantity, price=price, client_id=client_id, now_ns=call.now_ns
        )
        if outcome.refusal is not None or outcome.order is None:
            refusal = outcome.refusal
            assert refusal is not None
            raise ApiError(refusal.code, msg=refusal.message)
        self.streams.collect(symbol, outcome.level_changes)
        order = outcome.order
        if response_type == "ACK":
            return wire.order_ack(order)
        if response_type == "RESULT":
            return wire.order_result(order)
        return wire.order_full(order)

    def _test_order(self, call: Call) -> Any:
        symbol, side, quantity, price, client_id = self._order_args(call)
        refusal = self.exchange.check(
            call.key, symbol, side, quantity, price=price, client_id=client_id
        )
        if refusal is not None:
            raise ApiError(refusal.code, msg=refusal.message)
        return {}

    def _query_order(self, call: Call) -> Any:
        self._symbol(call.required("symbol"))
        raw_id, client_id = call.one("orderId"), call.one("origClientOrderId")
        if raw_id is None and client_id is None:
            raise ApiError(
                -1102,
                msg="Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
            )
        order_id = _int(raw_id, "orderId") if raw_id is not None else None
        order = self.exchange.find(call.key, order_id=order_id, client_id=client_id)
        if order is None:
            raise ApiError(-2013)
        return wire.order_query(order)

    def _open_orders(self, call: Call) -> Any:
        if call.one("symbol"):
            self._symbol(call.required("symbol"))
        return []  # market and IOC orders never rest

    def _cancel_open_orders(self, call: Call) -> Any:
        self._symbol(call.required("symbol"))
        raise ApiError(-2011)

    def _my_trades(self, call: Call) -> Any:
        symbol = self._symbol(call.required("symbol"))
        raw_id = call.one("orderId")
        order_id = _int(raw_id, "orderId") if raw_id is not None else None
        limit = min(_int(call.one("limit") or "500", "limit"), 1000)
        trades = [
            t
            for t in self.exchange.account(call.key).trades
            if t.symbol == symbol and (order_id is None or t.order_id == order_id)
        ]
        return [wire.trade(t) for t in trades[-limit:]]

    def _system_status(self, call: Call) -> Any:
        """Docs (Get System Status): ``status`` 0 normal, 1 system maintenance (while the
        scheduled window is in effect by the sim's clock)."""
        window = self.faults.maintenance
        if window is not None and window.in_effect(call.now_ns):
            return {"status": 1, "msg": "system maintenance"}
        return {"status": 0, "msg": "normal"}

    def _account(self, call: Call) -> Any:
        return wire.account(self.exchange.account(call.key), self.exchange, call.now_ns)

    def _trade_fee(self, call: Call) -> Any:
        symbols = (
            [self._symbol(call.required("symbol"))]
            if call.one("symbol")
            else list(self.market.products)
        )
        return wire.trade_fees(symbols, self.exchange)


def _limit_response(status: int, retry_after_s: float) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(wire.error(-1003)),
        content_type="application/json",
        headers={"Retry-After": str(max(1, int(retry_after_s + 0.999)))},
    )


def _depth_weight(params: dict[str, str]) -> int:
    try:
        limit = int(params.get("limit") or 100)
    except ValueError:
        return 1
    return 1 if limit <= 100 else 5 if limit <= 500 else 10 if limit <= 1000 else 50


def _int(raw: str | None, name: str) -> int:
    try:
        return int(raw) if raw is not None else int("x")
    except ValueError:
        raise ApiError(
            -1102, msg=f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
        ) from None


def _decimal(raw: str, name: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ApiError(-1102, msg=f"Parameter '{name}' is malformed.") from None
    if not value.is_finite() or value <= 0:
        raise ApiError(-1102, msg=f"Parameter '{name}' is malformed.")
    try:
        exact = value == value.quantize(Decimal("1e-8"))
    except InvalidOperation:
        exact = False
    if not exact:
        raise ApiError(-1111)
    return value
