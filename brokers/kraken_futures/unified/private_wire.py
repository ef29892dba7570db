"""Requests and pushes of the Unified private socket (``/v2/private``), as the adapter reads them.

docs.kraken.com, Unified WS ``executions``, ``positions``, ``balances``, ``add_order``,
``cancel_order``, ``cancel_all``, ``cancel_all_orders_after`` (Spot WS v2 where Unified only refers
to it; see ``PROTOCOL.md`` §5-§6). Every private request carries ``params.token``; every request
that touches a market carries ``asset_class: "derivatives"``. Numbers go out as JSON numbers
written from exact Decimals (``order_qty``), and come back read as Decimals from their text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from brokers.kraken_futures.unified.wire import ASSET_CLASS
from core.enums import OrderType, Side
from core.ports import OrderRequest, VenueError

log = logging.getLogger(__name__)

EXEC_TYPES = frozenset(
    {"pending_new", "new", "trade", "filled", "iceberg_refill", "canceled", "expired",
     "amended", "restated", "status"}
)  # fmt: skip
ORDER_STATUSES = frozenset(
    {"pending_new", "new", "partially_filled", "filled", "canceled", "expired", "triggered"}
)
ENDED = frozenset({"filled", "canceled", "expired"})
DEADLINE_S = 5.0  # add_order ``deadline``: the docs' default offset (valid 0.5..60 s)


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def request_text(method: str, params: dict[str, Any], req_id: int) -> str:
    """``{"method", "params", "req_id"}`` with Decimals written as exact JSON numbers."""
    raw: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, Decimal):
            raw[name] = _number(value)
    if not raw:
        return orjson.dumps({"method": method, "params": params, "req_id": req_id}).decode()
    # orjson cannot write a Decimal as a number: a placeholder string, then unquoted.
    marked = {k: (f"@decimal:{k}@" if k in raw else v) for k, v in params.items()}
    text = orjson.dumps({"method": method, "params": marked, "req_id": req_id}).decode()
    for name, number in raw.items():
        text = text.replace(f'"@decimal:{name}@"', number)
    return text


def subscribe_params(channel: str, token: str) -> dict[str, Any]:
    params: dict[str, Any] = {"channel": channel, "asset_class": ASSET_CLASS, "token": token}
    if channel == "executions":
        params |= {"snap_orders": True, "snap_trades": True}
    elif channel in ("positions", "balances"):
        params["snapshot"] = True
    return params


def rfc3339_ms(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def add_order_params(
    order: OrderRequest, token: str, *, now: datetime | None, deadline_s: float = DEADLINE_S
) -> dict[str, Any]:
    """``add_order`` params for a market order (or an IOC limit). ``now`` (the venue-synchronised
    wall clock) adds a ``deadline``; None leaves it out (the venue's own default applies)."""
    if order.quantity <= 0:
        raise VenueError(
            f"order quantity must be positive, got {order.quantity}", code="invalid_order"
        )
    params: dict[str, Any] = {
        "asset_class": ASSET_CLASS,
        "order_type": "market" if order.order_type is OrderType.MARKET else "limit",
        "side": "buy" if order.side is Side.BUY else "sell",
        "order_qty": order.quantity,
        "symbol": order.product.upper(),
        "cl_ord_id": order.client_order_id,
        "token": token,
    }
    if order.order_type is OrderType.LIMIT_IOC:
        if order.limit_price is None or order.limit_price <= 0:
            raise VenueError(
                "an IOC limit order needs a positive limit price", code="invalid_order"
            )
        params["limit_price"] = order.limit_price
        params["time_in_force"] = "ioc"
    if order.reduce_only:
        params["reduce_only"] = True
    if now is not None:
        params["deadline"] = rfc3339_ms(now + timedelta(seconds=deadline_s))
    return params


def decimal_of(value: object) -> Decimal | None:
    """A JSON number (or numeric string) as an exact Decimal; None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def loads_exact(raw: bytes | str) -> Any:
    """Parse a private frame keeping every number's digits: floats come back as Decimals."""
    import json  # noqa: PLC0415 - the private socket is not the hot path

    return json.loads(raw, parse_float=Decimal)


@dataclass(frozen=True, slots=True)
class ExecutionEvent:
    """One row of the ``executions`` channel, as far as l2console needs it."""

    exec_type: str
    order_id: str
    cl_ord_id: str
    symbol: str
    side: str
    order_status: str
    order_qty: Decimal | None
    cum_qty: Decimal | None
    exec_id: str = ""
    last_qty: Decimal | None = None
    last_price: Decimal | None = None
    fee_usd: Decimal | None = None
    reason: str = ""
    limit_price: Decimal | None = None

    @property
    def is_fill(self) -> bool:
        return self.exec_type == "trade" and bool(self.exec_id) and bool(self.last_qty)


def execution_from_row(row: dict[str, Any]) -> ExecutionEvent:
    """Raises ``ValueError`` when the row lacks what every event needs (a counted drop)."""
    exec_type = row.get("exec_type")
    if not isinstance(exec_type, str):
        raise ValueError("execution without exec_type")
    status = row.get("order_status")
    fees = row.get("fees")
    fee = None
    if isinstance(fees, list) and fees:
        amounts = [decimal_of(f.get("qty")) for f in fees if isinstance(f, dict)]
        if amounts and all(a is not None for a in amounts):
            fee = sum((a for a in amounts if a is not None), Decimal(0))
    if fee is None:
        fee = decimal_of(row.get("fee_usd_equiv")) if exec_type == "trade" else None
    return ExecutionEvent(
        exec_type=exec_type,
        order_id=str(row.get("order_id", "")),
        cl_ord_id=str(row.get("cl_ord_id", "") or ""),
        symbol=str(row.get("symbol", "")).upper(),
        side=str(row.get("side", "")),
        order_status=status if isinstance(status, str) else "",
        order_qty=decimal_of(row.get("order_qty")),
        cum_qty=decimal_of(row.get("cum_qty")),
        exec_id=str(row.get("exec_id", "") or ""),
        last_qty=decimal_of(row.get("last_qty")),
        last_price=decimal_of(row.get("last_price")),
        fee_usd=fee,
        reason=str(row.get("reason") or row.get("cancel_reason") or ""),
        limit_price=decimal_of(row.get("limit_price")),
    )
