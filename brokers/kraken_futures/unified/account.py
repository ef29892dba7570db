"""What the private socket has told us about the account: orders, fills, positions, balances.

Pure state, fed by ``executions``, ``positions`` and ``balances`` pushes (``PROTOCOL.md`` §5).
Orders are keyed by ``cl_ord_id`` (the adapter sends one per decision); fills are idempotent by
``exec_id`` (a snapshot's last 50 trades repeat fills already seen). An order has ended when an
event says ``order_status`` ``filled``/``canceled``/``expired``; the docs: derivatives have no
``pending_new``, and a trade may say ``partially_filled`` even when it completes the order, so
``cum_qty >= order_qty`` ends it too [A].
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from brokers.kraken_futures.unified.private_wire import (
    ENDED,
    EXEC_TYPES,
    ORDER_STATUSES,
    ExecutionEvent,
    decimal_of,
    execution_from_row,
)
from core.enums import OrderStatus, Side
from core.ports import Balance, OpenOrder, OrderResult, VenueFill, VenuePosition

log = logging.getLogger(__name__)


@dataclass(slots=True)
class OrderTrack:
    """One order as the executions stream has described it so far."""

    cl_ord_id: str
    order_id: str = ""
    symbol: str = ""
    side: str = ""
    order_qty: Decimal | None = None
    limit_price: Decimal | None = None
    status: str = ""
    reason: str = ""
    fills: dict[str, VenueFill] = field(default_factory=dict)  # exec_id -> fill

    @property
    def filled(self) -> Decimal:
        return sum((f.quantity for f in self.fills.values()), Decimal(0))

    @property
    def ended(self) -> bool:
        if self.status in ENDED:
            return True
        return self.order_qty is not None and self.filled >= self.order_qty > 0

    def result(self) -> OrderResult:
        fills = tuple(self.fills.values())
        filled = self.filled
        if not self.ended:
            status = OrderStatus.OPEN if self.status else OrderStatus.UNKNOWN
        elif self.order_qty is not None and filled >= self.order_qty:
            status = OrderStatus.FILLED
        elif filled > 0:
            status = OrderStatus.PARTIALLY_FILLED
        else:
            status = OrderStatus.NOT_FILLED
        reason = "" if status is OrderStatus.FILLED else self.reason or self.status
        return OrderResult(self.cl_ord_id, status, self.order_id, fills, reason)


@dataclass(slots=True)
class AccountCounters:
    executions: int = 0
    fills: int = 0
    duplicate_fills: int = 0
    unknown_enums: int = 0
    dropped_rows: int = 0


class AccountState:
    """See the module docstring. ``version`` grows with every change (waiters compare it)."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderTrack] = {}
        self.by_order_id: dict[str, str] = {}
        self.positions: dict[str, VenuePosition] = {}
        self.balances: dict[str, Balance] = {}
        self.counters = AccountCounters()
        self.executions_snapshot = False
        self.positions_snapshot = False
        self.balances_snapshot = False
        self.version = 0
        self.positions_version = 0

    # --- executions ------------------------------------------------------------------------
    def on_executions(self, kind: str, rows: Iterable[Any]) -> list[ExecutionEvent]:
        events = []
        for row in rows:
            if not isinstance(row, dict):
                self.counters.dropped_rows += 1
                continue
            try:
                event = execution_from_row(row)
            except ValueError as exc:
                self.counters.dropped_rows += 1
                log.warning("Kraken Unified: execution row dropped: %s", exc)
                continue
            self._apply(event)
            events.append(event)
        if kind == "snapshot":
            self.executions_snapshot = True
        self.version += 1
        return events

    def _apply(self, event: ExecutionEvent) -> None:
        self.counters.executions += 1
        if event.exec_type not in EXEC_TYPES or (
            event.order_status and event.order_status not in ORDER_STATUSES
        ):
            self.counters.unknown_enums += 1
            log.warning(
                "Kraken Unified: unknown exec_type/order_status %r/%r (counted)",
                event.exec_type,
                event.order_status,
            )
        key = event.cl_ord_id or self.by_order_id.get(event.order_id) or event.order_id
        if not key:
            self.counters.dropped_rows += 1
            return
        track = self.orders.get(key)
        if track is None:
            track = self.orders[key] = OrderTrack(key)
        if event.order_id:
            track.order_id = event.order_id
            self.by_order_id[event.order_id] = key
        track.symbol = event.symbol or track.symbol
        track.side = event.side or track.side
        track.order_qty = event.order_qty if event.order_qty is not None else track.order_qty
        track.limit_price = event.limit_price or track.limit_price
        if event.order_status in ORDER_STATUSES and track.status not in ENDED:
            track.status = event.order_status
        elif event.exec_type in ("canceled", "expired", "filled") and track.status not in ENDED:
            track.status = event.exec_type
        if event.reason:
            track.reason = event.reason
        if event.is_fill and event.last_price is not None and event.last_qty is not None:
            if event.exec_id in track.fills:
                self.counters.duplicate_fills += 1
                return
            track.fills[event.exec_id] = VenueFill(
                price=event.last_price,
                quantity=event.last_qty,
                fee=event.fee_usd,
                fill_id=event.exec_id,
            )
            self.counters.fills += 1

    def result(self, cl_ord_id: str) -> OrderResult | None:
        track = self.orders.get(cl_ord_id)
        return None if track is None else track.result()

    def open_orders(self) -> list[OpenOrder]:
        out = []
        for track in self.orders.values():
            if track.ended or track.status not in ("new", "partially_filled", "triggered"):
                continue
            remaining = (track.order_qty or Decimal(0)) - track.filled
            out.append(
                OpenOrder(
                    client_order_id=track.cl_ord_id,
                    venue_order_id=track.order_id,
                    product=track.symbol,
                    side=Side.BUY if track.side == "buy" else Side.SELL,
                    quantity=remaining,
                    limit_price=track.limit_price,
                )
            )
        return out

    # --- positions and balances --------------------------------------------------------------
    def on_positions(self, kind: str, data: Any) -> None:
        """``data``: ``{"futures": [{symbol, size, entry_price, …}], "options": […]}`` [A:
        the nesting; ``size`` signed, > 0 long]. A ``size`` of 0 closes the position."""
        if kind == "snapshot":
            self.positions.clear()
            self.positions_snapshot = True
        rows = data.get("futures", []) if isinstance(data, dict) else data
        for row in rows if isinstance(rows, list) else []:
            symbol = str(row.get("symbol", "")).upper() if isinstance(row, dict) else ""
            size = decimal_of(row.get("size")) if symbol else None
            if size is None:
                self.counters.dropped_rows += 1
                continue
            if size == 0:
                self.positions.pop(symbol, None)
                continue
            entry = decimal_of(row.get("entry_price")) or Decimal(0)
            self.positions[symbol] = VenuePosition(symbol, size, entry)
        self.version += 1
        self.positions_version += 1

    def on_balances(self, kind: str, rows: Any) -> None:
        """Snapshot rows ``{asset, balance, …}``; update rows are ledger events carrying the new
        ``balance`` of their ``asset``."""
        if kind == "snapshot":
            self.balances.clear()
            self.balances_snapshot = True
        for row in rows if isinstance(rows, list) else []:
            asset = str(row.get("asset", "")).upper() if isinstance(row, dict) else ""
            amount = decimal_of(row.get("balance")) if asset else None
            if amount is None:
                self.counters.dropped_rows += 1
                continue
            self.balances[asset] = Balance(asset, amount)
        self.version += 1
