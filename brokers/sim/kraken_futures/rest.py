"""The Kraken Futures REST v3 endpoints of the simulated venue.

Routes under ``/derivatives/api/v3``: ``GET instruments`` and ``GET notifications`` (public);
signed ``POST sendorder``, ``POST cancelallorders``, ``POST cancelallordersafter``,
``POST orders/status``, ``GET openpositions``, ``GET openorders``, ``GET accounts``,
``GET fills``.

Authentication (docs "Futures REST" guide): headers ``APIKey`` and ``Authent`` (``Nonce``
optional), checked with ``auth``. Readings where the docs leave room:

* ``postData`` is the raw request body when there is one, otherwise the raw query string —
  exactly the bytes sent, URL-encoding included; parameters may come in either place;
* errors follow the documented schema ``{"result":"error","error":…,"serverTime":…}`` with HTTP
  200 (the docs list the error schema under the 200 response); a bad or missing signature or an
  unknown key is ``authenticationError``; a reused ``Nonce`` is ``nonceDuplicate``; a missing
  required parameter ``requiredArgumentMissing``; an unparseable one or an unknown symbol
  ``invalidArgument``; an unsupported order type answers ``sendStatus.status:
  "invalidOrderType"`` and a bad side ``"invalidSide"`` (both in the documented status list);
* ``orders/status`` takes ``orderIds``/``cliOrdIds`` repeated or comma-separated and, as
  documented, reports orders that are open or ended within the last 5 seconds;
* symbols are matched case-insensitively;
* ``sendorder``'s ``processBefore`` (docs: "The time before which the request should be
  processed, otherwise it is rejected") is honoured; a late order answers ``sendStatus.status:
  "requestExpired"`` (the docs name no status for it: the sim's choice).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

from brokers.sim.faults import RestFault, SimFaults
from brokers.sim.kraken_futures import orders_wire, wire
from brokers.sim.kraken_futures.auth import rest_authent, verify
from brokers.sim.market.books import LevelChange, SimMarket
from brokers.sim.market.futures import SimExchange
from brokers.sim.market.orders import OrderKind, OrderState
from core.enums import Side

ORDER_STATUS_WINDOW_NS = 5_000_000_000
NONCES_REMEMBERED = 10_000
CALLS_REMEMBERED = 1_000
FILLS_PER_PAGE = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

ORDER_KINDS = {
    "mkt": OrderKind.MARKET,
    "ioc": OrderKind.IOC,
    "lmt": OrderKind.LIMIT,
    "post": OrderKind.POST_ONLY,
}
SIDES = {"buy": Side.BUY, "sell": Side.SELL}
HTTP_REASONS = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """Answer with the documented error body carrying this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated request: whose it is, its parameters, when it arrived."""

    key: str
    params: dict[str, list[str]]
    now_ns: int

    def one(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def required(self, name: str) -> str:
        value = self.one(name)
        if value is None or value == "":
            raise ApiError("requiredArgumentMissing")
        return value

    def many(self, name: str) -> list[str]:
        items: list[str] = []
        for value in self.params.get(name, []):
            for raw in value.strip().strip("[]").split(","):
                item = raw.strip().strip("\"'")
                if item:
                    items.append(item)
        return items


Handler = Callable[[Call], dict[str, object]]


class KrakenRestApi:
    """Request handling for the REST endpoints (routing, auth, faults, then the endpoint)."""

    def __init__(
        self,
        market: SimMarket,
        *,
        exchange: SimExchange,
        faults: SimFaults,
        credentials: dict[str, str],
        clock: Callable[[], int],
        publish: Callable[[str, Sequence[LevelChange], int], None],
    ) -> None:
        self.market = market
        self.exchange = exchange
        self.faults = faults
        self.credentials = dict(credentials)
        self.clock = clock
        self.publish = publish
        self._nonces: dict[str, deque[str]] = {}
        self.calls: deque[tuple[str, dict[str, list[str]]]] = deque(maxlen=CALLS_REMEMBERED)
        """Authenticated calls that reached an endpoint, oldest first: (endpoint, parameters)."""
        self.arrivals: deque[tuple[int, str]] = deque(maxlen=CALLS_REMEMBERED * 10)
        """Every private call as it arrived, refused or not: (clock ns, endpoint)."""
        self._held: set[asyncio.Task[web.Response]] = set()

    def add_routes(self, app: web.Application, prefix: str) -> None:
        app.router.add_get(
            f"{prefix}/instruments", self._route("instruments", self._instruments, private=False)
        )
        app.router.add_get(
            f"{prefix}/notifications",
            self._route("notifications", self._notifications, private=False),
        )
        private: list[tuple[str, str, Handler]] = [
            ("POST", "sendorder", self._send_order),
            ("POST", "cancelallorders", self._cancel_all),
            ("POST", "cancelallordersafter", self._cancel_all_after),
            ("POST", "orders/status", self._orders_status),
            ("GET", "openpositions", self._open_positions),
            ("GET", "openorders", self._open_orders),
            ("GET", "accounts", self._accounts),
            ("GET", "fills", self._fills),
        ]
        for method, endpoint, handler in private:
            app.router.add_route(method, f"{prefix}/{endpoint}", self._route(endpoint, handler))

    def _route(
        self, endpoint: str, handler: Handler, *, private: bool = True
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve(request: web.Request) -> web.Response:
            now = self.clock()
            if private:
                self.arrivals.append((now, endpoint))
            fault = self.faults.take_rest(endpoint)
            if fault is not None and fault.deliver_after_s:
                body = await request.read()
                late = self._deliver_late(request, body, endpoint, handler, fault.deliver_after_s)
                held = asyncio.ensure_future(late)
                self._held.add(held)
                held.add_done_callback(self._held.discard)
                return await asyncio.shield(held)  # delivered even if the client gives up
            if fault is not None and not fault.after_execute:
                if fault.hang_s:
                    await asyncio.sleep(fault.hang_s)
                return self._fault_response(fault, now)
            body = await request.read()
            return await self._answer(request, body, endpoint, handler, now, fault, private)

        return serve

    async def _deliver_late(
        self, request: web.Request, body: bytes, endpoint: str, handler: Handler, seconds: float
    ) -> web.Response:
        await asyncio.sleep(seconds)
        return await self._answer(request, body, endpoint, handler, self.clock(), None, True)

    async def _answer(  # noqa: PLR0917 - one request's parts, in the order served
        self,
        request: web.Request,
        raw: bytes,
        endpoint: str,
        handler: Handler,
        now: int,
        fault: RestFault | None,
        private: bool,
    ) -> web.Response:
        body = raw.decode("utf-8", "replace")
        post_data = body or request.rel_url.raw_query_string
        try:
            params: dict[str, list[str]] = {}
            for name, value in parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True):
                params.setdefault(name, []).append(value)
            for name, value in parse_qsl(body, keep_blank_values=True):
                params.setdefault(name, []).append(value)
            key = self._authenticate(request, post_data) if private else ""
            self.calls.append((endpoint, params))
            answer = handler(Call(key, params, now))
        except ApiError as error:
            answer = wire.rest_error(error.code, now)
        response = web.Response(body=orjson.dumps(answer), content_type="application/json")
        if fault is None:
            return response
        if fault.hang_s:
            await asyncio.sleep(fault.hang_s)
            if fault.status == 200:
                return response  # executed, answered late: the client has given up
        return self._fault_response(fault, now)

    def _fault_response(self, fault: RestFault, now_ns: int) -> web.Response:
        if fault.error is not None:
            return web.Response(
                status=fault.status,
                content_type="application/json",
                body=orjson.dumps(wire.rest_error(fault.error, now_ns)),
            )
        reason = HTTP_REASONS.get(fault.status, "Error")
        return web.Response(status=fault.status, text=f"{fault.status} {reason}")

    def _authenticate(self, request: web.Request, post_data: str) -> str:
        key = request.headers.get("APIKey", "")
        given = request.headers.get("Authent", "")
        nonce = request.headers.get("Nonce", "")
        secret = self.credentials.get(key)
        if not key or not given or secret is None or self.faults.keys_revoked:
            raise ApiError("authenticationError")
        expected = rest_authent(secret, post_data, nonce, request.path)
        if not verify(expected, given):
            raise ApiError("authenticationError")
        if nonce:
            seen = self._nonces.setdefault(key, deque(maxlen=NONCES_REMEMBERED))
            if nonce in seen:
                raise ApiError("nonceDuplicate")
            seen.append(nonce)
        return key

    # --- endpoints ----------------------------------------------------------------------------
    def _instruments(self, call: Call) -> dict[str, object]:
        specs = [self.market.spec(p) for p in self.market.products]
        return wire.instruments(specs, call.now_ns)

    def _notifications(self, call: Call) -> dict[str, object]:
        """Docs (Get notifications): a scheduled window is a ``maintenance`` notification with
        ``effectiveTime`` and ``expectedDowntimeMinutes`` (whole minutes, rounded up), listed
        until it is over."""
        window = self.faults.maintenance
        listed = []
        if window is not None and call.now_ns < window.end_ns:
            minutes = -(-(window.end_ns - window.start_ns) // 60_000_000_000)
            listed.append(
                {
                    "type": "maintenance",
                    "priority": "high",
                    "note": window.note,
                    "effectiveTime": wire.iso(window.start_ns),
                    "expectedDowntimeMinutes": minutes,
                }
            )
        return {"result": "success", "notifications": listed, "serverTime": wire.iso(call.now_ns)}

    def _symbol(self, raw: str) -> str:
        symbol = raw.strip().upper()
        if symbol not in self.market.products:
            raise ApiError("invalidArgument")
        return symbol

    def _send_order(self, call: Call) -> dict[str, object]:
        order_type = call.required("orderType")
        symbol = self._symbol(call.required("symbol"))
        side = SIDES.get(call.required("side"))
        size = _decimal(call.required("size"))
        limit_text = call.one("limitPrice")
        limit = _decimal(limit_text) if limit_text else None
        reduce_only = _boolean(call.one("reduceOnly") or "false")
        client_id = call.one("cliOrdId") or None
        kind = ORDER_KINDS.get(order_type)
        refused = None
        if kind is None:
            refused = "invalidOrderType"
        elif side is None:
            refused = "invalidSide"
        elif size is None:
            refused = "invalidSize"
        elif limit_text and limit is None:
            refused = "invalidPrice"
        deadline = call.one("processBefore")
        if refused is None and deadline and call.now_ns > _parse_iso_ns(deadline):
            refused = "requestExpired"
        if refused is None:
            refused = self.faults.take_reject()
        if refused is not None or kind is None or side is None or size is None:
            status = {"status": refused, "receivedTime": wire.iso(call.now_ns)}
            return orders_wire.success(call.now_ns, sendStatus=status)
        outcome = self.exchange.place(
            call.key,
            symbol,
            side,
            kind,
            size,
            limit_price=limit,
            reduce_only=reduce_only,
            client_id=client_id,
            now_ns=call.now_ns,
        )
        if outcome.level_changes:
            self.publish(symbol, outcome.level_changes, self.clock())
        return orders_wire.success(
            call.now_ns, sendStatus=orders_wire.send_status(outcome, call.now_ns, client_id)
        )

    def _cancel_all(self, call: Call) -> dict[str, object]:
        raw = call.one("symbol")
        symbol = self._symbol(raw) if raw else None
        cancelled = self.exchange.cancel_all(call.key, symbol, call.now_ns)
        return orders_wire.success(
            call.now_ns, cancelStatus=orders_wire.cancel_status(cancelled, symbol, call.now_ns)
        )

    def _cancel_all_after(self, call: Call) -> dict[str, object]:
        raw = call.required("timeout")
        try:
            timeout = int(raw)
        except ValueError:
            raise ApiError("invalidArgument") from None
        if not 0 <= timeout < 2**32:
            raise ApiError("invalidArgument")
        deadline = self.exchange.arm_dead_man(call.key, timeout, call.now_ns)
        return orders_wire.success(
            call.now_ns, status=orders_wire.dead_man_status(call.now_ns, deadline)
        )

    def _orders_status(self, call: Call) -> dict[str, object]:
        order_ids = set(call.many("orderIds"))
        client_ids = set(call.many("cliOrdIds"))
        account = self.exchange.account(call.key)
        found = []
        for order in account.orders.values():
            wanted = order.order_id in order_ids or (
                order.client_id is not None and order.client_id in client_ids
            )
            recent = (
                order.state is OrderState.OPEN
                or call.now_ns - order.updated_ns <= ORDER_STATUS_WINDOW_NS
            )
            if wanted and recent:
                found.append(orders_wire.order_status(order))
        return orders_wire.success(call.now_ns, orders=found)

    def _open_positions(self, call: Call) -> dict[str, object]:
        account = self.exchange.account(call.key)
        entries = []
        for p in orders_wire.positions_sorted(account.positions.values()):
            entries.append(orders_wire.position(p, self.exchange.position_pnl(p)))
        return orders_wire.success(call.now_ns, openPositions=entries)

    def _open_orders(self, call: Call) -> dict[str, object]:
        account = self.exchange.account(call.key)
        resting = sorted(account.open_orders(), key=lambda o: o.received_ns, reverse=True)
        return orders_wire.success(
            call.now_ns, openOrders=[orders_wire.open_order(o) for o in resting]
        )

    def _accounts(self, call: Call) -> dict[str, object]:
        account = self.exchange.account(call.key)
        return orders_wire.success(
            call.now_ns, accounts=orders_wire.accounts(self.exchange, account)
        )

    def _fills(self, call: Call) -> dict[str, object]:
        account = self.exchange.account(call.key)
        fills = sorted(account.fills, key=lambda f: f.ts_ns, reverse=True)
        before = call.one("lastFillTime")
        if before:
            cutoff = _parse_iso_ns(before)
            fills = [f for f in fills if f.ts_ns < cutoff]
        return orders_wire.success(
            call.now_ns, fills=[orders_wire.fill(f) for f in fills[:FILLS_PER_PAGE]]
        )


def _decimal(text: str) -> Decimal | None:
    """A finite Decimal, or None when the text is not a number (the order then gets refused)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ApiError("invalidArgument")
    return lowered == "true"


def _parse_iso_ns(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError("invalidArgument") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1) * 1_000
