"""The Binance.us ``ExecutionVenue``: symbols, depth snapshots, orders and balances over REST.

Endpoints (docs.binance.us): public ``GET /api/v3/exchangeInfo``, ``/api/v3/depth``,
``/api/v3/time``; signed ``POST /api/v3/order``, ``GET /api/v3/order``, ``GET /api/v3/myTrades``,
``DELETE /api/v3/openOrders``, ``GET /api/v3/openOrders``, ``GET /api/v3/account`` and
``GET /sapi/v1/asset/query/trading-fee``.

Spot has no positions: the account simply holds BTC. What the *strategy* holds is what its own
orders put there (net of commission, see ``orders``), so ``open_positions`` reports exactly that
— capped by the account's free balance — and never the rest of the user's coins: a kill switch
must sell what the strategy bought, not the user's savings. That bookkeeping lives in this
object; a resumed session hands its open position over with ``adopt_holding``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Unpack

import msgspec

from brokers.binance_us.errors import CANCEL_REJECTED, NO_SUCH_ORDER, VENUE, VenueAnswerLost
from brokers.binance_us.filters import SymbolRules, rules_from_wire
from brokers.binance_us.orders import Execution, Settlement, order_params, order_result
from brokers.binance_us.rest_http import BinanceUsHttp
from brokers.binance_us.wire import (
    DEPTH_DECODER,
    AccountAnswer,
    ExchangeInfo,
    OrderAnswer,
    Trade,
    TradeFee,
    WireLevel,
    decode_as,
)
from brokers.net.rest import RestClientOptions
from brokers.recording.tap import RestSnapshotTap
from core.enums import OrderStatus, Side
from core.events import BookSnapshot, Level
from core.instrument import Instrument
from core.ports import (
    AccountSnapshot,
    Balance,
    OpenOrder,
    OrderRequest,
    OrderResult,
    VenueError,
    VenuePosition,
)
from core.rate_budget import RateLimit

log = logging.getLogger(__name__)

SNAPSHOT_LIMIT = 1000  # the docs' local-book guide; weight 10
ZERO = Decimal(0)


def _decode(endpoint: str, body: bytes, kind: object) -> object:
    try:
        return decode_as(body, kind)  # type: ignore[arg-type]
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise VenueError(
            f"{VENUE} {endpoint}: unexpected answer ({exc})", code="bad_answer"
        ) from None


def _levels(levels: list[WireLevel], *, descending: bool) -> tuple[Level, ...]:
    out = []
    for price, qty in levels:
        if not (0.0 < price < math.inf) or not (0.0 <= qty < math.inf):
            raise ValueError(f"level [{price}, {qty}]")
        if qty > 0.0:
            out.append((price, qty))
    out.sort(reverse=descending)
    return tuple(out)


def parse_depth_snapshot(symbol: str, body: bytes | str, recv_ns: int) -> BookSnapshot:
    """A ``GET /api/v3/depth`` answer as a ``BookSnapshot`` (live, and in replays of recordings)."""
    try:
        answer = DEPTH_DECODER.decode(body)
        bids = _levels(answer.bids, descending=True)
        asks = _levels(answer.asks, descending=False)
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
        raise VenueError(f"{VENUE} depth: unexpected answer ({exc})", code="bad_answer") from None
    if answer.lastUpdateId < 0:
        raise VenueError(f"{VENUE} depth: negative lastUpdateId", code="bad_answer")
    return BookSnapshot(symbol, answer.lastUpdateId, bids, asks, 0, recv_ns)


class _Holding:
    """What the strategy's own orders hold in one symbol (base asset), and what it cost."""

    __slots__ = ("basis", "quantity")

    def __init__(self) -> None:
        self.quantity = ZERO
        self.basis = ZERO  # quote spent on ``quantity``, for the average entry price

    def apply(self, side: Side, settlement: Settlement) -> None:
        if side is Side.BUY:
            self.quantity += settlement.held_change
            self.basis += sum((f.quantity * f.price for f in settlement.fills), ZERO)
            return
        before = self.quantity
        self.quantity = max(ZERO, before + settlement.held_change)
        self.basis = ZERO if before <= 0 else self.basis * self.quantity / before

    @property
    def entry_price(self) -> Decimal:
        return self.basis / self.quantity if self.quantity > 0 else ZERO


# exchangeInfo's rateLimits (docs "Limits"): REQUEST_WEIGHT 1200 per minute, ORDERS 10 per
# second (the X-MBX-USED-WEIGHT-1M / X-MBX-ORDER-COUNT-* headers count them). The engine keeps
# 900 weight and 8 orders; weights: order 1, order query 2 + myTrades 10, openOrders 3 (per
# symbol), cancel 1, account 10 (open positions read the account).
RATE_LIMITS = (
    RateLimit(
        "request weight per minute",
        capacity=900,
        window_s=60.0,
        costs={
            "place_order": 1,
            "order_status": 12,
            "cancel_all_orders": 1,
            "open_positions": 10,
            "open_orders": 3,
            "account": 10,
        },
        reserve=150,
    ),
    RateLimit("orders per second", capacity=8, window_s=1.0, costs={"place_order": 1}, reserve=2),
)


class BinanceUsRest:
    """``core.ports.ExecutionVenue`` for Binance.us spot, plus depth snapshots for the feed."""

    rate_limits = RATE_LIMITS

    def __init__(
        self,
        *,
        symbols: tuple[str, ...] = (),
        commission_estimate_rate: Decimal = Decimal("0.006"),
        http: BinanceUsHttp | None = None,
        on_depth_body: RestSnapshotTap | None = None,
        **client: Unpack[RestClientOptions],
    ) -> None:
        self.on_depth_body = on_depth_body  # e.g. a FrameRecorder's rest_snapshot
        self._http = http or BinanceUsHttp(**client)
        self._rules: dict[str, SymbolRules] = {}
        self._symbols = {s.upper() for s in symbols}
        self._holdings: dict[str, _Holding] = {}
        self._settled: set[str] = set()  # venue order ids already applied to the holdings
        self._estimate_rate = commission_estimate_rate

    def __repr__(self) -> str:
        return f"BinanceUsRest({self._http!r})"

    @property
    def http(self) -> BinanceUsHttp:
        return self._http

    @property
    def has_credentials(self) -> bool:
        return self._http.has_credentials

    def held(self, symbol: str) -> Decimal:
        """Base asset the strategy's orders hold in ``symbol`` (0 when none)."""
        holding = self._holdings.get(symbol.upper())
        return ZERO if holding is None else holding.quantity

    def adopt_holding(self, symbol: str, quantity: Decimal, entry_price: Decimal) -> None:
        """Take over a position an earlier run of the strategy bought (a resumed session).

        Only what this process bought is otherwise known here; without this, a resumed long
        would look flat to the kill switch while the coins sit in the account.
        """
        if quantity < 0:
            raise ValueError(f"a spot holding cannot be negative, got {quantity}")
        holding = self._holdings.setdefault(symbol.upper(), _Holding())
        holding.quantity = quantity
        holding.basis = quantity * entry_price
        self._symbols.add(symbol.upper())

    # --- public data -------------------------------------------------------------------------
    async def instruments(self) -> Mapping[str, Instrument]:
        """Every listed spot symbol keyed by upper-case symbol (``GET /api/v3/exchangeInfo``)."""
        body = await self._http.public("/api/v3/exchangeInfo")
        info = _decode("exchangeInfo", body, ExchangeInfo)
        assert isinstance(info, ExchangeInfo)
        out: dict[str, Instrument] = {}
        for symbol in info.symbols:
            try:
                rules = rules_from_wire(symbol)
            except ValueError as exc:
                log.warning(
                    "Binance.us: skipping %s, its filters are unreadable: %s", symbol.symbol, exc
                )
                continue
            self._rules[rules.symbol] = rules
            out[rules.symbol] = rules.instrument()
        return out

    async def rules(self, symbol: str) -> SymbolRules:
        """The symbol's trading rules (cached after the first ``exchangeInfo``)."""
        wanted = symbol.strip().upper()
        rules = self._rules.get(wanted)
        if rules is None:
            body = await self._http.public("/api/v3/exchangeInfo", [("symbol", wanted)])
            info = _decode("exchangeInfo", body, ExchangeInfo)
            assert isinstance(info, ExchangeInfo)
            for entry in info.symbols:
                try:
                    self._rules[entry.symbol.upper()] = rules_from_wire(entry)
                except ValueError as exc:
                    raise VenueError(f"{VENUE} exchangeInfo: {exc}", code="bad_answer") from None
            rules = self._rules.get(wanted)
            if rules is None:
                raise VenueError(f"{VENUE}: {wanted} is not listed", code="-1121")
        return rules

    async def depth_snapshot(self, symbol: str, limit: int = SNAPSHOT_LIMIT) -> BookSnapshot:
        """``GET /api/v3/depth`` as a ``BookSnapshot`` with ``seq = lastUpdateId``."""
        wanted = symbol.strip().upper()
        body = await self._http.public("/api/v3/depth", [("symbol", wanted), ("limit", str(limit))])
        recv_ns = time.monotonic_ns()
        if self.on_depth_body is not None:
            self.on_depth_body(recv_ns, time.time_ns(), wanted, body)
        return parse_depth_snapshot(wanted, body, recv_ns)

    async def sync_clock(self) -> int:
        return await self._http.sync_clock()

    # --- account ------------------------------------------------------------------------------
    async def taker_fee_rate(self, symbol: str) -> Decimal | None:
        """The account's taker rate for ``symbol`` (before any BNB discount), None if not told."""
        wanted = symbol.strip().upper()
        body = await self._http.signed(
            "GET", "/sapi/v1/asset/query/trading-fee", [("symbol", wanted)]
        )
        fees = _decode("trading-fee", body, list[TradeFee])
        assert isinstance(fees, list)
        return next((f.takerCommission for f in fees if f.symbol.upper() == wanted), None)

    async def account(self) -> AccountSnapshot:
        body = await self._http.signed("GET", "/api/v3/account")
        answer = _decode("account", body, AccountAnswer)
        assert isinstance(answer, AccountAnswer)
        balances = {
            b.asset.upper(): Balance(b.asset.upper(), b.free, b.locked)
            for b in answer.balances
            if b.free or b.locked
        }
        return AccountSnapshot(balances=balances)

    async def open_positions(self) -> list[VenuePosition]:
        """What the strategy's orders hold, capped by what the account really has free."""
        held = {s: h for s, h in self._holdings.items() if h.quantity > 0}
        if not held:
            return []
        balances = (await self.account()).balances
        positions = []
        for symbol, holding in sorted(held.items()):
            rules = self._rules[symbol]
            free = balances.get(rules.base, Balance(rules.base, ZERO)).free
            step = rules.step_size if rules.step_size > 0 else Decimal("1e-8")
            sellable = (free / step).to_integral_value(rounding=ROUND_DOWN) * step
            if sellable < holding.quantity:
                log.warning(
                    "Binance.us: the strategy bought %s %s but the account has %s free; "
                    "counting %s",
                    holding.quantity,
                    rules.base,
                    free,
                    sellable,
                )
                holding.basis = holding.basis * sellable / holding.quantity
                holding.quantity = sellable
            if holding.quantity > 0:
                positions.append(VenuePosition(symbol, holding.quantity, holding.entry_price))
        return positions

    async def open_orders(self) -> list[OpenOrder]:
        out = []
        for symbol in sorted(self._symbols):
            body = await self._http.signed("GET", "/api/v3/openOrders", [("symbol", symbol)])
            orders = _decode("openOrders", body, list[OrderAnswer])
            assert isinstance(orders, list)
            out += [
                OpenOrder(
                    client_order_id=o.clientOrderId,
                    venue_order_id=str(o.orderId),
                    product=o.symbol.upper(),
                    side=Side.BUY if o.side == "BUY" else Side.SELL,
                    quantity=o.origQty - o.executedQty,
                    limit_price=o.price or None,
                )
                for o in orders
            ]
        return out

    async def cancel_all_orders(self, product: str | None = None) -> None:
        symbols = [product.upper()] if product else sorted(self._symbols)
        for symbol in symbols:
            try:
                await self._http.signed("DELETE", "/api/v3/openOrders", [("symbol", symbol)])
            except VenueError as exc:
                if exc.code != str(CANCEL_REJECTED):  # -2011 "Unknown order sent": none open
                    raise

    # --- orders -------------------------------------------------------------------------------
    async def place_order(self, order: OrderRequest) -> OrderResult:
        """Send one order. A refusal (ours or the venue's) is a REJECTED result with the reason;
        a lost answer raises ``VenueAnswerLost`` so the caller asks ``order_status`` instead of
        sending it again."""
        try:
            rules = await self.rules(order.product)
        except VenueError as exc:  # the order itself was never sent
            return OrderResult(order.client_order_id, OrderStatus.REJECTED, reason=str(exc))
        params = order_params(order, rules)  # OrderRefused: nothing is sent
        self._symbols.add(rules.symbol)
        try:
            body = await self._http.signed("POST", "/api/v3/order", params)
        except VenueAnswerLost:
            raise
        except VenueError as exc:  # the venue said no (or we never sent it): nothing placed
            return OrderResult(
                order.client_order_id, OrderStatus.REJECTED, reason=str(exc), refusal=exc.refusal
            )
        try:
            answer = decode_as(body, OrderAnswer)
        except (msgspec.ValidationError, msgspec.DecodeError):
            raise VenueAnswerLost(
                f"{VENUE} order: unreadable answer; asking for its status", code="bad_answer"
            ) from None
        executions = [Execution.from_fill(f) for f in answer.fills]
        if sum((e.quantity for e in executions), ZERO) < answer.executedQty:
            executions = await self._executions(rules.symbol, answer.orderId)
        return self._settle(order, answer, executions, rules)

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        """What became of an order we sent, by our id; None if the venue never saw it."""
        rules = await self.rules(product)
        try:
            body = await self._http.signed(
                "GET",
                "/api/v3/order",
                [("symbol", rules.symbol), ("origClientOrderId", client_order_id)],
            )
        except VenueError as exc:
            if exc.code == str(NO_SUCH_ORDER):
                return None
            raise
        answer = _decode("order", body, OrderAnswer)
        assert isinstance(answer, OrderAnswer)
        executions = await self._executions(rules.symbol, answer.orderId)
        request = OrderRequest(
            client_order_id=client_order_id,
            product=rules.symbol,
            side=Side.BUY if answer.side == "BUY" else Side.SELL,
            quantity=answer.origQty,
        )
        return self._settle(request, answer, executions, rules)

    async def _executions(self, symbol: str, order_id: int) -> list[Execution]:
        body = await self._http.signed(
            "GET", "/api/v3/myTrades", [("symbol", symbol), ("orderId", str(order_id))]
        )
        trades = _decode("myTrades", body, list[Trade])
        assert isinstance(trades, list)
        return [Execution.from_trade(t) for t in trades if t.orderId == order_id]

    def _settle(
        self,
        order: OrderRequest,
        answer: OrderAnswer,
        executions: list[Execution],
        rules: SymbolRules,
    ) -> OrderResult:
        result, settlement = order_result(
            order, answer, executions, rules, estimate_rate=self._estimate_rate
        )
        key = f"{rules.symbol}:{answer.orderId}"
        if key not in self._settled:
            self._settled.add(key)
            self._holdings.setdefault(rules.symbol, _Holding()).apply(order.side, settlement)
        return result

    async def close(self) -> None:
        await self._http.close()
