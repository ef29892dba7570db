"""Orders on Kraken Futures: core ``OrderRequest`` → ``sendorder`` parameters, answers → results.

The outcome is never guessed: fills come from the venue's execution reports (``EXECUTION``
order events, or the ``fills`` endpoint), and whenever the venue's words do not settle what
happened the result is ``UNKNOWN``, which tells the caller to ask again before acting.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from brokers.kraken_futures.iso_time import iso_ns, iso_time
from brokers.kraken_futures.refusals import send_status_refusal
from brokers.kraken_futures.rest_wire import OrderStatusEntry, SendStatus, WireFill
from core.enums import OrderStatus, OrderType, Side
from core.ports import OrderRequest, OrderResult, VenueError, VenueFill

MAX_CLIENT_ORDER_ID_CHARS = 100  # the docs: cliOrdId "<= 100 characters", globally unique

_ORDER_TYPE = {OrderType.MARKET: "mkt", OrderType.LIMIT_IOC: "ioc"}
_SIDE = {Side.BUY: "buy", Side.SELL: "sell"}
# sendStatus.status values meaning the venue took the order; the events say what became of it.
_ACCEPTED = frozenset({"placed", "filled", "partiallyFilled", "edited"})
# Accepted but nothing can execute any more.
_NOT_FILLED = frozenset({"iocWouldNotExecute", "postWouldExecute", "cancelled"})


def new_client_order_id(prefix: str = "l2c") -> str:
    """A fresh, globally unique ``cliOrdId`` (one per decision; reuse it only to ask about it)."""
    return f"{prefix}-{uuid.uuid4().hex}"


def _number(value: Decimal) -> str:
    """A plain decimal string for the wire: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def send_order_params(order: OrderRequest) -> list[tuple[str, str]]:
    """The ``sendorder`` parameters, in a fixed order. Raises ``VenueError`` for a bad request."""
    cid = order.client_order_id
    if not cid or len(cid) > MAX_CLIENT_ORDER_ID_CHARS:
        raise VenueError(
            f"client order id must be 1..{MAX_CLIENT_ORDER_ID_CHARS} characters, got {len(cid)}",
            code="invalid_order",
        )
    if order.quantity <= 0:
        raise VenueError(
            f"order quantity must be positive, got {order.quantity}", code="invalid_order"
        )
    params = [
        ("orderType", _ORDER_TYPE[order.order_type]),
        ("symbol", order.product.upper()),
        ("side", _SIDE[order.side]),
        ("size", _number(order.quantity)),
    ]
    if order.order_type is OrderType.LIMIT_IOC:
        if order.limit_price is None or order.limit_price <= 0:
            raise VenueError(
                "an IOC limit order needs a positive limit price", code="invalid_order"
            )
        params.append(("limitPrice", _number(order.limit_price)))
    params.append(("reduceOnly", "true" if order.reduce_only else "false"))
    params.append(("cliOrdId", cid))
    if order.deadline_wall_ns is not None:
        params.append(("processBefore", iso_time(order.deadline_wall_ns)))
    return params


def result_from_send_status(order: OrderRequest, st: SendStatus) -> OrderResult:
    """What ``sendorder`` said, as an ``OrderResult`` (IOC and market orders never rest)."""
    cid = order.client_order_id
    events = st.orderEvents
    fills = tuple(
        VenueFill(price=e.price, quantity=e.amount, fill_id=e.executionId)
        for e in events
        if e.type == "EXECUTION" and e.price is not None and e.amount is not None
    )
    filled = sum((f.quantity for f in fills), Decimal(0))
    rejects = [e.reason for e in events if e.type == "REJECT" and e.reason]
    status = st.status
    if status in _ACCEPTED:
        if filled >= order.quantity:
            outcome = OrderStatus.FILLED
        elif filled > 0:
            outcome = OrderStatus.PARTIALLY_FILLED
        elif rejects or any(e.type == "CANCEL" for e in events):
            outcome = OrderStatus.NOT_FILLED
        else:
            return OrderResult(
                cid,
                OrderStatus.UNKNOWN,
                st.order_id,
                reason=f"venue said {status!r} without an execution report; ask for its status",
            )
        reason = "" if outcome is OrderStatus.FILLED else ", ".join(rejects) or "rest cancelled"
        return OrderResult(cid, outcome, st.order_id, fills, reason)
    reason = ", ".join([status, *rejects])
    if status in _NOT_FILLED:
        return OrderResult(cid, OrderStatus.NOT_FILLED, st.order_id, fills, reason)
    refusal = send_status_refusal(status)
    return OrderResult(cid, OrderStatus.REJECTED, st.order_id, fills, reason, refusal)


def result_from_order_status(
    client_order_id: str,
    entry: OrderStatusEntry | None,
    fills: Sequence[WireFill],
    quantity: Decimal | None = None,
) -> OrderResult | None:
    """Combine ``orders/status`` (which forgets orders 5 s after they end) and ``fills``.

    Returns None when neither knows the order: the venue never saw it (or it ended long ago
    without a fill). ``quantity`` is the size we asked for, used when only fills remain.
    """
    if entry is None and not fills:
        return None
    venue_fills = tuple(
        VenueFill(
            price=f.price, quantity=f.size, fill_id=f.fill_id, wall_ns=fill_time_ns(f.fillTime)
        )
        for f in fills
    )
    found = sum((f.quantity for f in venue_fills), Decimal(0))
    if entry is None:
        done = quantity is None or found >= quantity
        status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        return OrderResult(client_order_id, status, fills[0].order_id, venue_fills)
    order = entry.order
    reported = order.filled or Decimal(0)
    if reported > found:
        return OrderResult(
            client_order_id,
            OrderStatus.UNKNOWN,
            order.orderId,
            venue_fills,
            reason=f"venue reports {reported} filled but its fills list shows {found}; ask again",
        )
    reason = entry.error or entry.updateReason or ""
    match entry.status:
        case "FULLY_EXECUTED":
            status, reason = OrderStatus.FILLED, ""
        case "ENTERED_BOOK" | "TRIGGER_PLACED":
            status = OrderStatus.OPEN
        case "CANCELLED":
            status = OrderStatus.PARTIALLY_FILLED if found > 0 else OrderStatus.NOT_FILLED
        case "REJECTED" | "TRIGGER_ACTIVATION_FAILURE":
            status = OrderStatus.REJECTED
        case _:
            status, reason = OrderStatus.UNKNOWN, f"unknown order status {entry.status!r}"
    return OrderResult(client_order_id, status, order.orderId, venue_fills, reason)


def fill_time_ns(text: str) -> int:
    """``fillTime`` (``2019-09-05T16:33:50.734Z``) as Unix ns; 0 when absent or unreadable."""
    if not text:
        return 0
    try:
        return iso_ns(text)
    except ValueError:
        return 0
