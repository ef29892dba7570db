"""Kraken Futures REST v3 shapes for orders, fills, positions and accounts.

Each builder follows the response schema and examples of its docs.kraken.com page ("Send order",
"Cancel all orders", "Dead man's switch", "Get open orders", "Get Specific Orders' Status", "Get
your fills", "Get open positions", "Get wallets"). Readings where the docs leave room:

* a market order appears in order JSON as type ``ioc`` with its protection bound as
  ``limitPrice`` — the documented order ``type`` values have no ``mkt``;
* an accepted order answers ``status: "placed"`` even when it executed at once, with one
  ``EXECUTION`` event per fill, as in the docs' "executed" example (the status enum also lists
  ``filled``/``partiallyFilled``, but no example uses them); a limit order that rests after a
  partial execution adds a ``PLACE`` event after its executions; the unfilled rest of an IOC is
  dropped silently;
* refusals made before an order exists (bad size/price, client id too long or in use,
  insufficient funds) carry only ``status`` and ``receivedTime``, no ``order_id`` or events.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from brokers.sim.kraken_futures.wire import Json, iso, num, wire_side
from brokers.sim.market.futures import SimExchange
from brokers.sim.market.orders import (
    EndReason,
    OrderKind,
    OrderOutcome,
    OrderState,
    Refusal,
    SimAccount,
    SimFill,
    SimOrder,
    SimPosition,
)

ORDER_TYPE = {
    OrderKind.MARKET: "ioc",
    OrderKind.IOC: "ioc",
    OrderKind.LIMIT: "lmt",
    OrderKind.POST_ONLY: "post",
}
SEND_STATUS = {
    Refusal.INVALID_SIZE: "invalidSize",
    Refusal.INVALID_PRICE: "invalidPrice",
    Refusal.CLIENT_ID_TOO_LONG: "clientOrderIdTooLong",
    Refusal.CLIENT_ID_IN_USE: "clientOrderIdAlreadyExist",
    Refusal.INSUFFICIENT_FUNDS: "insufficientAvailableFunds",
    Refusal.WOULD_NOT_EXECUTE: "iocWouldNotExecute",
    Refusal.POST_WOULD_EXECUTE: "postWouldExecute",
    Refusal.WOULD_NOT_REDUCE: "wouldNotReducePosition",
}
REJECT_REASON = {  # sendorder REJECT events (documented: POST_WOULD_EXECUTE, IOC_WOULD_NOT_EXECUTE)
    Refusal.WOULD_NOT_EXECUTE: "IOC_WOULD_NOT_EXECUTE",
    Refusal.POST_WOULD_EXECUTE: "POST_WOULD_EXECUTE",
    Refusal.WOULD_NOT_REDUCE: "WOULD_NOT_REDUCE_POSITION",
}
STATUS_UPDATE_REASON = {  # orders/status: (updateReason, error) for rejected orders
    Refusal.WOULD_NOT_EXECUTE: ("IOC_WOULD_NOT_EXECUTE_REASON", "IOC_WOULD_NOT_EXECUTE"),
    Refusal.POST_WOULD_EXECUTE: ("POST_WOULD_EXECUTE_REASON", "POST_WOULD_EXECUTE"),
    Refusal.WOULD_NOT_REDUCE: ("WOULD_NOT_REDUCE_POSITION", "WOULD_NOT_REDUCE_POSITION"),
}
UPDATE_REASON = {
    EndReason.NEW: "NEW_USER_ORDER",
    EndReason.PARTIAL_FILL: "PARTIAL_FILL",
    EndReason.FULL_FILL: "FULL_FILL",
    EndReason.CANCELLED_BY_USER: "CANCELLED_BY_USER",
    EndReason.DEAD_MAN_SWITCH: "DEAD_MAN_SWITCH",
    EndReason.IOC_REMAINDER: "IOC_WOULD_NOT_EXECUTE_REASON",
    EndReason.REJECTED: "NOT_ENOUGH_MARGIN",  # only reached through a refusal mapped above
}
LIFECYCLE_STATUS = {
    OrderState.OPEN: "ENTERED_BOOK",
    OrderState.FILLED: "FULLY_EXECUTED",
    OrderState.CANCELLED: "CANCELLED",
    OrderState.REJECTED: "REJECTED",
}


def success(now_ns: int, **fields: object) -> Json:
    return {"result": "success", **fields, "serverTime": iso(now_ns)}


def _maybe(value: Decimal | None) -> int | float | None:
    return None if value is None else num(value)


def order_json(
    order: SimOrder, *, filled: Decimal | None = None, updated_ns: int | None = None
) -> Json:
    """The ``order`` object of order events (``OrderJson``)."""
    return {
        "orderId": order.order_id,
        "cliOrdId": order.client_id,
        "type": ORDER_TYPE[order.kind],
        "symbol": order.product,
        "side": wire_side(order.side),
        "quantity": num(order.quantity),
        "filled": num(order.filled if filled is None else filled),
        "limitPrice": _maybe(order.limit_price),
        "reduceOnly": order.reduce_only,
        "timestamp": iso(order.received_ns),
        "lastUpdateTimestamp": iso(order.updated_ns if updated_ns is None else updated_ns),
    }


def send_status(outcome: OrderOutcome, received_ns: int, client_id: str | None) -> Json:
    status: Json = {}
    order = outcome.order
    if order is not None:
        status["order_id"] = order.order_id
    status["status"] = SEND_STATUS[outcome.refusal] if outcome.refusal else "placed"
    status["receivedTime"] = iso(received_ns)
    if client_id is not None:
        status["cliOrdId"] = client_id
    if order is None:
        return status
    events: list[Json] = []
    if outcome.refusal is not None:
        events.append(
            {
                "type": "REJECT",
                "uid": order.order_id,
                "reason": REJECT_REASON[outcome.refusal],
                "order": order_json(order),
            }
        )
    for fill in outcome.fills:
        events.append(
            {
                "type": "EXECUTION",
                "executionId": fill.fill_id,
                "price": num(fill.price),
                "amount": num(fill.size),
                "orderPriorExecution": order_json(
                    order, filled=fill.filled_before, updated_ns=order.received_ns
                ),
                "takerReducedQuantity": _maybe(order.reduced_quantity),
            }
        )
    if order.state is OrderState.OPEN:
        events.append(
            {
                "type": "PLACE",
                "order": order_json(order),
                "reducedQuantity": _maybe(order.reduced_quantity),
            }
        )
    status["orderEvents"] = events
    return status


def cancel_status(cancelled: list[SimOrder], symbol: str | None, received_ns: int) -> Json:
    return {
        "receivedTime": iso(received_ns),
        "cancelOnly": symbol if symbol is not None else "all",
        "status": "cancelled" if cancelled else "noOrdersToCancel",
        "cancelledOrders": [{"order_id": o.order_id, "cliOrdId": o.client_id} for o in cancelled],
        "orderEvents": [
            {"type": "CANCEL", "uid": o.order_id, "order": order_json(o)} for o in cancelled
        ],
    }


def dead_man_status(now_ns: int, deadline_ns: int | None) -> Json:
    return {
        "currentTime": iso(now_ns),
        "triggerTime": iso(deadline_ns) if deadline_ns is not None else "0",
    }


def open_order(order: SimOrder) -> Json:
    entry: Json = {"order_id": order.order_id}
    if order.client_id is not None:
        entry["cliOrdId"] = order.client_id
    entry.update(
        {
            "symbol": order.product,
            "side": wire_side(order.side),
            "orderType": "lmt",  # documented: lmt, stop, take_profit (post-only rests as lmt)
            "limitPrice": _maybe(order.limit_price),
            "unfilledSize": num(order.remaining),
            "receivedTime": iso(order.received_ns),
            "status": "partiallyFilled" if order.filled else "untouched",
            "filledSize": num(order.filled),
            "reduceOnly": order.reduce_only,
            "lastUpdateTime": iso(order.updated_ns),
        }
    )
    return entry


def order_status(order: SimOrder) -> Json:
    """One entry of ``orders/status``: the order, its lifecycle status, reason and error."""
    if order.state is OrderState.REJECTED and order.refusal in STATUS_UPDATE_REASON:
        reason, error = STATUS_UPDATE_REASON[order.refusal]
    else:
        reason, error = UPDATE_REASON[order.reason], None
    return {
        "order": {
            "type": "ORDER",
            "orderId": order.order_id,
            "cliOrdId": order.client_id,
            "symbol": order.product,
            "side": wire_side(order.side),
            "quantity": num(order.quantity),
            "filled": num(order.filled),
            "limitPrice": _maybe(order.limit_price),
            "reduceOnly": order.reduce_only,
            "timestamp": iso(order.received_ns),
            "lastUpdateTimestamp": iso(order.updated_ns),
            "priceTriggerOptions": None,
            "triggerTime": None,
        },
        "status": LIFECYCLE_STATUS[order.state],
        "updateReason": reason,
        "error": error,
    }


def fill(f: SimFill) -> Json:
    entry: Json = {
        "fill_id": f.fill_id,
        "symbol": f.product,
        "side": wire_side(f.side),
        "order_id": f.order_id,
        "size": num(f.size),
        "price": num(f.price),
        "fillTime": iso(f.ts_ns),
        "fillType": "maker" if f.maker else "taker",
    }
    if f.client_id is not None:
        entry["cliOrdId"] = f.client_id
    return entry


def position(p: SimPosition, unrealized: Decimal) -> Json:
    return {
        "side": "long" if p.size > 0 else "short",
        "symbol": p.product,
        "price": num(p.entry_price),
        "fillTime": iso(p.updated_ns),
        "size": num(abs(p.size)),
        "unrealizedPnl": num(unrealized),
        "unrealizedFunding": 0,
        "pnlCurrency": "USD",
    }


def accounts(exchange: SimExchange, account: SimAccount) -> Json:
    """``accounts``: an empty cash account and the multi-collateral ``flex`` wallet in USD."""
    pnl = exchange.unrealized_pnl(account)
    initial = exchange.initial_margin(account)
    with_orders = exchange.initial_margin(account, with_orders=True)
    equity = account.balance + pnl
    usd = num(account.balance)
    return {
        "cash": {"type": "cashAccount", "balances": {}},
        "flex": {
            "type": "multiCollateralMarginAccount",
            "currencies": {
                "USD": {"quantity": usd, "value": usd, "collateral": usd, "available": usd},
            },
            "initialMargin": num(initial),
            "initialMarginWithOrders": num(with_orders),
            "maintenanceMargin": num(exchange.maintenance_margin(account)),
            "balanceValue": usd,
            "portfolioValue": num(equity),
            "collateralValue": usd,
            "pnl": num(pnl),
            "unrealizedFunding": 0,
            "totalUnrealized": num(pnl),
            "totalUnrealizedAsMargin": num(pnl),
            "availableMargin": num(equity - with_orders),
            "marginEquity": num(equity),
        },
    }


def positions_sorted(positions: Iterable[SimPosition]) -> list[SimPosition]:
    """Descending by last fill time, as the docs sort ``openPositions``."""
    return sorted(positions, key=lambda p: p.updated_ns, reverse=True)
