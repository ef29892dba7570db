"""The Kraken Futures ``ExecutionVenue``: instruments, orders, positions and balances over REST v3.

Endpoints (docs.kraken.com, futures-api/trading): ``GET instruments`` (public), ``POST sendorder``,
``POST orders/status``, ``GET fills``, ``POST cancelallorders``, ``POST cancelallordersafter``
(the dead-man's switch), ``GET openpositions``, ``GET openorders``, ``GET accounts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TypeVar, Unpack

import msgspec

from brokers.kraken_futures.errors import VenueAnswerLost
from brokers.kraken_futures.mapping import (
    account_fill_from_wire,
    account_from_answer,
    instruments_from_answer,
    open_order_from_wire,
    position_from_wire,
)
from brokers.kraken_futures.orders import (
    result_from_order_status,
    result_from_send_status,
    send_order_params,
)
from brokers.kraken_futures.rest_http import KrakenFuturesHttp
from brokers.kraken_futures.rest_wire import (
    DeadManAnswer,
    FillsAnswer,
    OpenOrdersAnswer,
    OpenPositionsAnswer,
    OrdersStatusAnswer,
    SendOrderAnswer,
    decode_as,
)
from brokers.net.rest import RestClientOptions
from core.enums import OrderStatus
from core.instrument import Instrument
from core.ports import (
    AccountFill,
    AccountSnapshot,
    OpenOrder,
    OrderRequest,
    OrderResult,
    VenueError,
    VenuePosition,
)
from core.rate_budget import RateLimit

T = TypeVar("T")
W = TypeVar("W")

_MAX_DEAD_MAN_TIMEOUT_S = 2**32 - 1  # the docs: timeout is a uint32 of seconds

# The docs ("Derivatives Rate Limits"): /derivatives endpoints may spend 500 every 10 s;
# sendorder 10, orders/status 1, fills (without lastFillTime) 2, openpositions 2, openorders 2,
# accounts 2, cancelallorders 25, cancelallordersafter 25. The engine keeps 350: the rest is
# the dead-man's switch's refresh (25 every 15 s, outside the engine) and a margin. The kill
# switch's reserve (100) pays for four rounds of cancel, reads and a close.
RATE_LIMITS = (
    RateLimit(
        "cost per 10 s",
        capacity=350,
        window_s=10.0,
        costs={
            "place_order": 10,
            "order_status": 3,  # orders/status + fills
            "cancel_all_orders": 25,
            "open_positions": 2,
            "open_orders": 2,
            "account": 2,
            "recent_fills": 2,  # fills without lastFillTime
        },
        reserve=100,
    ),
)
ORDER_DEADLINE_S = 5.0
"""Every order carries ``processBefore`` this far ahead (the Unified API's default deadline):
the venue refuses it if it reaches the matching engine later."""


class KrakenFuturesRest:
    """``core.ports.ExecutionVenue`` for Kraken Futures.

    ``key_setting`` / ``secret_setting`` name the settings the user fills in (for example
    ``KRAKEN_DEMO_API_KEY``), so a missing or refused key produces a message that says which.
    """

    rate_limits = RATE_LIMITS
    order_deadline_s = ORDER_DEADLINE_S

    def __init__(self, **client: Unpack[RestClientOptions]) -> None:
        self._http = KrakenFuturesHttp(**client)

    def __repr__(self) -> str:
        return f"KrakenFuturesRest({self._http!r})"

    @property
    def has_credentials(self) -> bool:
        return self._http.has_credentials

    @property
    def http(self) -> KrakenFuturesHttp:
        return self._http

    async def instruments(self) -> Mapping[str, Instrument]:
        """Every listed, unexpired future keyed by upper-case symbol (public, no keys needed)."""
        body = await self._http.get("instruments", signed=False)
        return _answer("instruments", lambda: instruments_from_answer(body))

    async def place_order(self, order: OrderRequest) -> OrderResult:
        """Send one order. A lost answer (timeout, 5xx, dropped connection) gives ``UNKNOWN``:
        the order may exist, so ask ``order_status`` before sending anything again."""
        params = send_order_params(order)
        try:
            body = await self._http.post("sendorder", params)
        except VenueAnswerLost as exc:
            return OrderResult(order.client_order_id, OrderStatus.UNKNOWN, reason=str(exc))
        try:
            answer = decode_as(body, SendOrderAnswer)
        except msgspec.DecodeError as exc:
            return OrderResult(
                order.client_order_id,
                OrderStatus.UNKNOWN,
                reason=f"unreadable sendorder answer ({exc}); ask for its status",
            )
        return result_from_send_status(order, answer.sendStatus)

    async def order_status(
        self, client_order_id: str, product: str, *, quantity: Decimal | None = None
    ) -> OrderResult | None:
        """What became of an order we sent, by our id; None if the venue knows nothing of it.

        ``orders/status`` only remembers orders for 5 s after they end, so recent ``fills`` are
        read too. ``quantity`` (the size asked for) tells FILLED from PARTIALLY_FILLED then.
        ``product`` is not needed: client order ids are unique across the account.
        """
        body = await self._http.post("orders/status", [("cliOrdIds", client_order_id)])
        entries = _answer("orders/status", lambda: decode_as(body, OrdersStatusAnswer)).orders
        entry = next((e for e in entries if e.order.cliOrdId == client_order_id), None)
        fills_body = await self._http.get("fills")
        fills = [
            f
            for f in _answer("fills", lambda: decode_as(fills_body, FillsAnswer)).fills
            if f.cliOrdId == client_order_id
            or (entry is not None and entry.order.orderId and f.order_id == entry.order.orderId)
        ]
        return result_from_order_status(client_order_id, entry, fills, quantity)

    async def recent_fills(self) -> list[AccountFill]:
        """The account's latest executions (``fills``, newest page), oldest first."""
        body = await self._http.get("fills")
        fills = _answer("fills", lambda: decode_as(body, FillsAnswer)).fills
        return sorted(_mapped("fills", fills, account_fill_from_wire), key=lambda f: f.wall_ns)

    async def cancel_all_orders(self, product: str | None = None) -> None:
        await self._http.post("cancelallorders", [("symbol", product.upper())] if product else [])

    async def cancel_all_orders_after(self, timeout_s: int) -> str:
        """Arm (or, with 0, disarm) the dead-man's switch; returns the venue's trigger time.

        The docs recommend a 60 s timeout refreshed every 15-20 s.
        """
        if not 0 <= timeout_s <= _MAX_DEAD_MAN_TIMEOUT_S:
            raise VenueError(
                f"dead-man's switch timeout out of range: {timeout_s}", code="invalid_argument"
            )
        body = await self._http.post("cancelallordersafter", [("timeout", str(int(timeout_s)))])
        return _answer(
            "cancelallordersafter", lambda: decode_as(body, DeadManAnswer)
        ).status.triggerTime

    async def open_positions(self) -> list[VenuePosition]:
        body = await self._http.get("openpositions")
        answer = _answer("openpositions", lambda: decode_as(body, OpenPositionsAnswer))
        return _mapped("openpositions", answer.openPositions, position_from_wire)

    async def open_orders(self) -> list[OpenOrder]:
        body = await self._http.get("openorders")
        answer = _answer("openorders", lambda: decode_as(body, OpenOrdersAnswer))
        return _mapped("openorders", answer.openOrders, open_order_from_wire)

    async def account(self) -> AccountSnapshot:
        body = await self._http.get("accounts")
        return _answer("accounts", lambda: account_from_answer(body))

    async def close(self) -> None:
        await self._http.close()


def _answer(endpoint: str, read: Callable[[], T]) -> T:
    """``read()`` an answer; a shape we cannot read becomes one clear ``VenueError``."""
    try:
        return read()
    except ValueError as exc:  # msgspec's DecodeError is a ValueError
        raise VenueError(
            f"Kraken Futures {endpoint}: unexpected answer ({exc})", code="bad_answer"
        ) from None


def _mapped(endpoint: str, items: Iterable[W], convert: Callable[[W], T]) -> list[T]:
    return _answer(endpoint, lambda: [convert(item) for item in items])
