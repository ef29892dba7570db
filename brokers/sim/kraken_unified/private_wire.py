"""Private Unified messages as the simulated venue writes them (``executions``, ``positions``,
``balances``, method results). Shapes per ``brokers/kraken_futures/unified/PROTOCOL.md`` §5-§6.

Money and sizes are exact Decimals written as JSON numbers (``orjson`` gets them as text through
``number``; the client reads them with a decimal-aware parser, as the docs advise). Choices where
the docs are silent [A]: ``fees`` is one entry in USD (the multi-collateral wallet's currency);
``liquidity_ind`` ``t``/``m``; a refused market order (nothing to fill, nothing to reduce) is taken
(``success``) and then ``canceled`` on ``executions`` with a ``reason``; ``positions`` data is
``{"futures": [{symbol, size (signed, > 0 long), entry_price}], "options": [], "time"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson

from brokers.sim.kraken_unified.wire import rfc3339
from brokers.sim.market.orders import (
    EndReason,
    OrderKind,
    OrderState,
    Refusal,
    SimAccount,
    SimFill,
    SimOrder,
    SimPosition,
)

USD = "USD"

REFUSAL_ERRORS = {
    Refusal.INVALID_SIZE: "EGeneral:Invalid arguments:order_qty",
    Refusal.INVALID_PRICE: "EGeneral:Invalid arguments:limit_price",
    Refusal.CLIENT_ID_TOO_LONG: "EGeneral:Invalid arguments:cl_ord_id",
    Refusal.CLIENT_ID_IN_USE: "EOrder:Duplicate cl_ord_id",
    Refusal.INSUFFICIENT_FUNDS: "EOrder:Insufficient funds",
}
CANCEL_REASONS = {
    EndReason.CANCELLED_BY_USER: "User requested",
    EndReason.DEAD_MAN_SWITCH: "Dead man's switch",
    EndReason.IOC_REMAINDER: "Unfilled remainder of an immediate-or-cancel order",
    EndReason.REJECTED: "Order could not execute",
}
REFUSAL_REASONS = {
    Refusal.WOULD_NOT_EXECUTE: "No liquidity within the order's price protection",
    Refusal.WOULD_NOT_REDUCE: "Reduce-only order would not reduce the position",
    Refusal.POST_WOULD_EXECUTE: "Post-only order would execute",
}


class Number(str):
    """A Decimal's exact text, written as a JSON number (see ``dumps``)."""


def number(value: Decimal) -> Number:
    text = format(value.normalize(), "f")
    return Number(text if text != "-0" else "0")


def dumps(message: dict[str, Any]) -> str:
    """JSON with every ``Number`` unquoted (orjson writes str subclasses as strings)."""
    numbers: list[str] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Number):
            numbers.append(str(value))
            return f"@n{len(numbers) - 1}@"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = orjson.dumps(mark(message)).decode()
    for index, digits in enumerate(numbers):
        text = text.replace(f'"@n{index}@"', digits, 1)
    return text


def _order_type(order: SimOrder) -> str:
    return "market" if order.kind is OrderKind.MARKET else "limit"


def _order_fields(order: SimOrder) -> dict[str, Any]:
    row: dict[str, Any] = {
        "order_id": order.order_id,
        "symbol": order.product,
        "side": order.side.name.lower(),
        "order_type": _order_type(order),
        "order_qty": number(order.quantity),
        "reduce_only": order.reduce_only,
        "time_in_force": "gtc" if order.kind is OrderKind.LIMIT else "ioc",
    }
    if order.client_id is not None:
        row["cl_ord_id"] = order.client_id
    if order.kind is not OrderKind.MARKET and order.limit_price is not None:
        row["limit_price"] = number(order.limit_price)
    return row


def new_event(order: SimOrder, now_ns: int) -> dict[str, Any]:
    """``exec_type: new``: the order is live (derivatives have no ``pending_new``)."""
    return {
        **_order_fields(order),
        "exec_type": "new",
        "order_status": "new",
        "cum_qty": number(order.filled),
        "timestamp": rfc3339(now_ns),
    }


def trade_event(order: SimOrder, fill: SimFill, trade_id: int) -> dict[str, Any]:
    cum = fill.filled_before + fill.size
    done = cum >= order.quantity
    return {
        **_order_fields(order),
        "exec_type": "trade",
        "order_status": "filled" if done else "partially_filled",
        "exec_id": fill.fill_id,
        "trade_id": trade_id,
        "last_qty": number(fill.size),
        "last_price": number(fill.price),
        "cost": number(fill.size * fill.price),
        "cum_qty": number(cum),
        "liquidity_ind": "m" if fill.maker else "t",
        "fees": [{"asset": USD, "qty": number(fill.fee)}],
        "fee_usd_equiv": number(fill.fee),
        "timestamp": rfc3339(fill.ts_ns),
    }


def ended_event(order: SimOrder, now_ns: int) -> dict[str, Any]:
    """``canceled`` (user, dead man's switch, an IOC's remainder, a refusal after placement)."""
    if order.refusal is not None:
        reason = REFUSAL_REASONS.get(order.refusal, order.refusal.value)
    else:
        reason = CANCEL_REASONS.get(order.reason, order.reason.value)
    return {
        **_order_fields(order),
        "exec_type": "canceled",
        "order_status": "canceled",
        "cum_qty": number(order.filled),
        "reason": reason,
        "timestamp": rfc3339(now_ns),
    }


def order_events(
    order: SimOrder, fills: Iterable[SimFill], now_ns: int, trade_ids: Iterable[int]
) -> list[dict[str, Any]]:
    """Every event of an order just placed: ``new``, its trades, ``canceled`` if it ended
    without filling completely."""
    events = [new_event(order, now_ns)]
    events += [trade_event(order, f, t) for f, t in zip(fills, trade_ids, strict=False)]
    if order.state in (OrderState.CANCELLED, OrderState.REJECTED):
        events.append(ended_event(order, now_ns))
    return events


def snapshot_rows(account: SimAccount, now_ns: int) -> list[dict[str, Any]]:
    """The ``executions`` snapshot: open orders and the last 50 fills (``snap_trades``)."""
    rows = [new_event(o, now_ns) for o in account.open_orders()]
    for index, fill in enumerate(account.fills[-50:]):
        order = account.orders.get(fill.order_id)
        if order is not None:
            rows.append(trade_event(order, fill, index + 1))
    return rows


def executions_message(kind: str, rows: list[dict[str, Any]], sequence: int) -> str:
    return dumps({"channel": "executions", "type": kind, "data": rows, "sequence": sequence})


def position_row(symbol: str, position: SimPosition | None) -> dict[str, Any]:
    if position is None:
        return {"symbol": symbol, "size": number(Decimal(0)), "entry_price": number(Decimal(0))}
    return {
        "symbol": symbol,
        "size": number(position.size),
        "entry_price": number(position.entry_price),
    }


def positions_message(kind: str, rows: list[dict[str, Any]], now_ns: int) -> str:
    data = {"futures": rows, "options": [], "time": rfc3339(now_ns)}
    return dumps({"channel": "positions", "type": kind, "data": data})


def balances_message(kind: str, account: SimAccount, now_ns: int) -> str:
    row = {
        "asset": USD,
        "asset_class": "currency",
        "balance": number(account.balance),
        "wallets": [{"type": "flex", "id": "main", "balance": number(account.balance)}],
        "timestamp": rfc3339(now_ns),
    }
    return dumps({"channel": "balances", "type": kind, "data": [row]})
