"""Orders on Binance.us spot: core ``OrderRequest`` → ``POST /api/v3/order`` parameters, and the
venue's answer → ``OrderResult`` with fills the ledger can book honestly.

Commission (docs, "Create New Order", ``FULL`` answer): every fill carries ``commission`` in
``commissionAsset`` — the asset *received* (a BUY of BTCUSDT pays in BTC, a SELL in USDT) unless
the account pays in BNB. So a BUY of 0.00230 BTC with 0.0000023 BTC commission puts 0.0022977 BTC
in the account, and only whole size steps of it can ever be sold. The fills handed to the ledger
therefore say what the strategy really holds and what it really cost (``ledger_fills``):

* quantity = what landed (executed minus base-asset commission), rounded down to the step for
  the whole order; the strategy sells exactly that on CLOSE;
* price = the venue's execution price, unchanged;
* fee (USD, i.e. quote) = the commission's value — in quote as charged, in base at the fill
  price, in BNB estimated at the taker rate (we have no BNB price) — plus the value of the
  sub-step remainder left in the account (it belongs to the account, not to the strategy,
  which can never sell it). Per fill, ``quantity x price + fee`` is exactly the quote spent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from brokers.binance_us.filters import SymbolRules
from brokers.binance_us.wire import OrderAnswer, Trade, WireFill
from core.enums import OrderStatus, OrderType, Side
from core.ports import OrderRequest, OrderResult, VenueError, VenueFill

log = logging.getLogger(__name__)

CLIENT_ORDER_ID = re.compile(r"^[.A-Za-z:/0-9_-]{1,36}$")
FEE_QUANTUM = Decimal("1e-8")
ZERO = Decimal(0)
_SIDE = {Side.BUY: "BUY", Side.SELL: "SELL"}


class OrderRefused(VenueError):
    """Refused here, before sending: the order would break the symbol's rules."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Binance.us order refused before sending: {reason}", code="filter")
        self.reason = reason


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def order_params(order: OrderRequest, rules: SymbolRules) -> list[tuple[str, str]]:
    """``POST /api/v3/order`` parameters (without timestamp/signature), checked against the rules.

    MARKET orders use ``quantity`` (base asset); LIMIT_IOC orders are ``type=LIMIT`` with
    ``timeInForce=IOC``. ``reduce_only`` has no meaning on spot: a SELL can only sell what the
    account holds. Raises ``OrderRefused`` with the reason when a filter would refuse it.
    """
    if not CLIENT_ORDER_ID.match(order.client_order_id):
        raise OrderRefused(
            f"client order id must be 1-36 characters of A-Z a-z 0-9 . : / _ -, "
            f"got {order.client_order_id!r}"
        )
    if order.product.upper() != rules.symbol:
        raise OrderRefused(f"order for {order.product} checked against {rules.symbol}'s rules")
    limit = order.limit_price if order.order_type is OrderType.LIMIT_IOC else None
    if order.order_type is OrderType.LIMIT_IOC and limit is None:
        raise OrderRefused("an IOC limit order needs a limit price")
    if not rules.tradeable:
        raise OrderRefused(f"{rules.symbol} is not trading now (status {rules.status})")
    reason = rules.refusal(order.order_type, order.quantity, limit)
    if reason is not None:
        raise OrderRefused(reason)
    params = [("symbol", rules.symbol), ("side", _SIDE[order.side])]
    if limit is not None:
        params += [("type", "LIMIT"), ("timeInForce", "IOC"), ("price", _number(limit))]
    else:
        params.append(("type", "MARKET"))
    params += [
        ("quantity", _number(order.quantity)),
        ("newClientOrderId", order.client_order_id),
        ("newOrderRespType", "FULL"),
    ]
    return params


@dataclass(frozen=True, slots=True)
class Execution:
    """One venue execution of our order, as the venue reported it."""

    price: Decimal
    quantity: Decimal
    commission: Decimal
    commission_asset: str
    trade_id: str = ""

    @classmethod
    def from_fill(cls, fill: WireFill) -> Execution:
        trade_id = str(fill.tradeId) if fill.tradeId >= 0 else ""
        return cls(fill.price, fill.qty, fill.commission, fill.commissionAsset.upper(), trade_id)

    @classmethod
    def from_trade(cls, trade: Trade) -> Execution:
        return cls(
            trade.price, trade.qty, trade.commission, trade.commissionAsset.upper(), str(trade.id)
        )


@dataclass(frozen=True, slots=True)
class Settlement:
    """What an order did to the account and to the strategy's holdings."""

    fills: tuple[VenueFill, ...]
    held_change: Decimal  # signed change of what the strategy holds (base asset)
    base_change: Decimal  # signed change of the account's base balance
    dust: Decimal  # base left in the account below one size step (BUY only)


def ledger_fills(
    side: Side,
    executions: Sequence[Execution],
    rules: SymbolRules,
    *,
    estimate_rate: Decimal,
) -> Settlement:
    """The fills to book for one order (see the module docstring).

    For a BUY the base the strategy will not hold (base commission plus the sub-step remainder)
    comes off the last fills, so each booked quantity stays on the size step; per fill the
    booked ``quantity x price + fee`` is still exactly the quote that fill spent.
    """
    if not executions:
        return Settlement((), ZERO, ZERO, ZERO)
    base = rules.base
    step = _significant(rules.step_size)
    base_fee = sum((e.commission for e in executions if e.commission_asset == base), ZERO)
    bought = sum((e.quantity for e in executions), ZERO)
    if side is Side.SELL:
        fills = tuple(
            VenueFill(
                e.price,
                _tidy(e.quantity, step),
                _commission_value(e, rules, estimate_rate),
                e.trade_id,
            )
            for e in executions
        )
        return Settlement(fills, -bought, -bought - base_fee, ZERO)

    landed = bought - base_fee
    held = (landed / step).to_integral_value(rounding=ROUND_DOWN) * step
    to_remove = bought - held  # base paid for but not held: commission + remainder
    taken = [ZERO] * len(executions)
    for i in range(len(executions) - 1, -1, -1):
        taken[i] = min(to_remove, executions[i].quantity)
        to_remove -= taken[i]
    fills: list[VenueFill] = []
    carried = ZERO  # the cost of a fill left with no quantity moves on to the next one
    for e, take in zip(executions, taken, strict=True):
        cost = take * e.price
        if e.commission_asset != base:
            cost += _commission_value(e, rules, estimate_rate)
        quantity = e.quantity - take
        if quantity <= 0:
            carried += cost
            continue
        fills.append(VenueFill(e.price, _tidy(quantity, step), cost + carried, e.trade_id))
        carried = ZERO
    if carried and fills:
        last = fills[-1]
        fills[-1] = VenueFill(last.price, last.quantity, (last.fee or ZERO) + carried, last.fill_id)
    dust = landed - held
    if dust > 0:
        log.info(
            "Binance.us: %s landed %s %s after commission; the strategy holds %s, %s %s stays "
            "in the account below one size step (booked as cost)",
            rules.symbol,
            _number(landed),
            base,
            _number(held),
            _number(dust),
            base,
        )
    if not fills:
        log.warning(
            "Binance.us: %s order landed %s %s, less than one size step: nothing to hold",
            rules.symbol,
            _number(landed),
            base,
        )
    return Settlement(tuple(fills), held, landed, dust)


def _significant(step: Decimal) -> Decimal:
    return step.normalize() if step > 0 else FEE_QUANTUM


def _tidy(quantity: Decimal, step: Decimal) -> Decimal:
    """``0.00229000`` -> ``0.00229`` when on the step (what the user reads), else as it is."""
    if quantity % step == 0:
        return quantity.quantize(step) if step.as_tuple().exponent < 0 else quantity
    return quantity


def _commission_value(e: Execution, rules: SymbolRules, estimate_rate: Decimal) -> Decimal:
    """The commission in quote currency (USD)."""
    if e.commission_asset == rules.quote:
        return e.commission
    if e.commission_asset == rules.base:
        return e.commission * e.price
    # BNB (or another asset): no price for it here; estimate at the configured taker rate.
    return (e.quantity * e.price * estimate_rate).quantize(FEE_QUANTUM, rounding=ROUND_HALF_UP)


def status_of(venue_status: str, executed: Decimal, requested: Decimal) -> OrderStatus:
    """The venue's order status (docs, "Enum Definitions") in core words."""
    match venue_status:
        case "FILLED":
            return OrderStatus.FILLED
        case "PARTIALLY_FILLED":
            return OrderStatus.PARTIALLY_FILLED if requested > executed else OrderStatus.FILLED
        case "NEW":
            return OrderStatus.OPEN
        case "REJECTED":
            return OrderStatus.REJECTED
        case "EXPIRED" | "EXPIRED_IN_MATCH" | "CANCELED" | "PENDING_CANCEL":
            return OrderStatus.PARTIALLY_FILLED if executed > 0 else OrderStatus.NOT_FILLED
    return OrderStatus.UNKNOWN


_REASONS = {
    "EXPIRED": "IOC/market order: the rest expired",
    "EXPIRED_IN_MATCH": "expired by self-trade prevention",
    "CANCELED": "cancelled",
    "REJECTED": "rejected by the matching engine",
}


def order_result(
    order: OrderRequest,
    answer: OrderAnswer,
    executions: Iterable[Execution],
    rules: SymbolRules,
    *,
    estimate_rate: Decimal,
) -> tuple[OrderResult, Settlement]:
    settlement = ledger_fills(order.side, list(executions), rules, estimate_rate=estimate_rate)
    status = status_of(answer.status, answer.executedQty, answer.origQty or order.quantity)
    reason = "" if status is OrderStatus.FILLED else _REASONS.get(answer.status, answer.status)
    if status is OrderStatus.UNKNOWN:
        reason = f"unknown order status {answer.status!r}; ask again"
    return (
        OrderResult(
            client_order_id=order.client_order_id,
            status=status,
            venue_order_id=str(answer.orderId),
            fills=settlement.fills,
            reason=reason,
        ),
        settlement,
    )
