"""``SimExchange``: accounts, orders, fills and positions on top of a ``SimMarket``.

Venue-neutral and pure (time is passed in); each protocol server maps these outcomes onto its
own wire format. Money is exact ``Decimal``. Simplifications, on purpose:

* market and IOC orders, and the marketable part of a limit order, fill against the public book
  and consume it (the level changes are returned for publishing);
* a resting limit order is kept off the public book; it fills in full, at its limit price, as a
  maker, on the first tick when the opposite best price reaches it;
* every account is one USD collateral balance (Kraken's multi-collateral "flex" wallet):
  realised P&L and fees go there, inverse products included (their P&L is converted to USD at the
  exit price);
* margin: 2 % of the notional initially, 1 % maintenance, at the mid.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import Enum

from brokers.sim.market import Execution, LevelChange, SimMarket
from brokers.sim.products import SimProductSpec
from core.enums import ContractType, Side

MONEY = Decimal("0.00000001")
INITIAL_MARGIN = Decimal("0.02")
MAINTENANCE_MARGIN = Decimal("0.01")
MARKET_PROTECTION = Decimal("0.01")  # a market order fills no further than 1 % from the touch
MAX_CLIENT_ID = 100


class OrderKind(Enum):
    MARKET = "market"  # IOC bounded 1 % from the touch
    IOC = "ioc"
    LIMIT = "limit"
    POST_ONLY = "post_only"


class OrderState(Enum):
    OPEN = "open"  # resting
    FILLED = "filled"
    CANCELLED = "cancelled"  # by the user, the dead-man's switch, or the unfilled rest of an IOC
    REJECTED = "rejected"


class Refusal(Enum):
    """Why an order was refused. The first five create no order at all."""

    INVALID_SIZE = "invalid_size"
    INVALID_PRICE = "invalid_price"
    CLIENT_ID_TOO_LONG = "client_id_too_long"
    CLIENT_ID_IN_USE = "client_id_in_use"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    WOULD_NOT_EXECUTE = "would_not_execute"  # IOC/market found nothing within its price
    POST_WOULD_EXECUTE = "post_would_execute"
    WOULD_NOT_REDUCE = "would_not_reduce"  # reduce-only with nothing to reduce


NO_ORDER_REFUSALS = frozenset(
    {
        Refusal.INVALID_SIZE,
        Refusal.INVALID_PRICE,
        Refusal.CLIENT_ID_TOO_LONG,
        Refusal.CLIENT_ID_IN_USE,
        Refusal.INSUFFICIENT_FUNDS,
    }
)


class EndReason(Enum):
    NEW = "new"
    PARTIAL_FILL = "partial_fill"
    FULL_FILL = "full_fill"
    CANCELLED_BY_USER = "cancelled_by_user"
    DEAD_MAN_SWITCH = "dead_man_switch"
    IOC_REMAINDER = "ioc_remainder"
    REJECTED = "rejected"


@dataclass(slots=True)
class SimOrder:
    order_id: str
    client_id: str | None
    product: str
    side: Side
    kind: OrderKind
    quantity: Decimal
    limit_price: Decimal | None  # for a market order: its protection bound
    reduce_only: bool
    received_ns: int
    updated_ns: int
    filled: Decimal = Decimal(0)
    state: OrderState = OrderState.OPEN
    reason: EndReason = EndReason.NEW
    reduced_quantity: Decimal | None = None  # removed by reduce-only before placement
    refusal: Refusal | None = None  # why it was rejected, when it was

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled


@dataclass(frozen=True, slots=True)
class SimFill:
    fill_id: str
    order_id: str
    client_id: str | None
    product: str
    side: Side
    price: Decimal
    size: Decimal
    fee: Decimal  # USD, >= 0
    maker: bool
    ts_ns: int
    filled_before: Decimal  # how much of the order had filled before this fill


@dataclass(slots=True)
class SimPosition:
    product: str
    size: Decimal  # signed: > 0 long, < 0 short
    entry_price: Decimal
    updated_ns: int


@dataclass(slots=True)
class SimAccount:
    key: str
    balance: Decimal  # USD collateral: deposits + realised P&L - fees
    positions: dict[str, SimPosition] = field(default_factory=dict)
    orders: dict[str, SimOrder] = field(default_factory=dict)
    client_ids: dict[str, str] = field(default_factory=dict)  # client id -> order id
    fills: list[SimFill] = field(default_factory=list)
    fees_paid: Decimal = Decimal(0)
    dead_man_deadline_ns: int | None = None

    def open_orders(self) -> Iterator[SimOrder]:
        return (o for o in self.orders.values() if o.state is OrderState.OPEN)


@dataclass(slots=True)
class OrderOutcome:
    """What ``place`` did: the order (None if refused before one existed) and its fills."""

    order: SimOrder | None
    refusal: Refusal | None = None
    fills: list[SimFill] = field(default_factory=list)
    level_changes: list[LevelChange] = field(default_factory=list)


class SimExchange:
    """Matching, positions and balances for any number of accounts (keyed by API key)."""

    def __init__(
        self,
        market: SimMarket,
        *,
        starting_balance_usd: Decimal = Decimal(10_000),
        taker_fee_rate: Decimal = Decimal("0.0005"),
        maker_fee_rate: Decimal = Decimal("0.0002"),
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.market = market
        self.starting_balance = starting_balance_usd
        self.taker_fee_rate = taker_fee_rate
        self.maker_fee_rate = maker_fee_rate
        self.new_id = new_id
        self.accounts: dict[str, SimAccount] = {}

    def account(self, key: str) -> SimAccount:
        if key not in self.accounts:
            self.accounts[key] = SimAccount(key, self.starting_balance)
        return self.accounts[key]

    # --- orders -------------------------------------------------------------------------------
    def place(
        self,
        key: str,
        product: str,
        side: Side,
        kind: OrderKind,
        quantity: Decimal,
        *,
        limit_price: Decimal | None = None,
        reduce_only: bool = False,
        client_id: str | None = None,
        now_ns: int,
    ) -> OrderOutcome:
        spec = self.market.spec(product)
        account = self.account(key)
        refusal = self._validate(
            account,
            spec,
            kind=kind,
            quantity=quantity,
            limit_price=limit_price,
            client_id=client_id,
        )
        if refusal is not None:
            return OrderOutcome(None, refusal)
        book = self.market.book(product, depth=1)
        touch = book.best_ask if side is Side.BUY else book.best_bid
        bound = limit_price if kind is not OrderKind.MARKET else _protected(spec, side, touch)
        order = SimOrder(
            self.new_id(),
            client_id,
            product,
            side,
            kind,
            quantity,
            bound,
            reduce_only,
            now_ns,
            now_ns,
        )
        account.orders[order.order_id] = order
        if client_id is not None:
            account.client_ids[client_id] = order.order_id
        if reduce_only:
            reducible = self._reducible(account, product, side)
            if reducible == 0:
                return self._reject(order, Refusal.WOULD_NOT_REDUCE)
            if quantity > reducible:
                order.reduced_quantity = quantity - reducible
                order.quantity = reducible
        assert bound is not None
        marketable = bound >= touch if side is Side.BUY else bound <= touch
        if kind is OrderKind.POST_ONLY and marketable:
            return self._reject(order, Refusal.POST_WOULD_EXECUTE)
        if not reduce_only and not self._can_afford(account, spec, order.quantity, bound):
            del account.orders[order.order_id]
            if client_id is not None:
                del account.client_ids[client_id]
            return OrderOutcome(None, Refusal.INSUFFICIENT_FUNDS)
        if not marketable:
            if kind in (OrderKind.MARKET, OrderKind.IOC):
                return self._reject(order, Refusal.WOULD_NOT_EXECUTE)
            return OrderOutcome(order)  # rests
        executions, changes = self.market.execute_market(
            product, side, order.quantity, limit_price=bound, now_ns=now_ns
        )
        fills = [self._fill(account, order, ex, maker=False, now_ns=now_ns) for ex in executions]
        if not fills and kind in (OrderKind.MARKET, OrderKind.IOC):
            return self._reject(order, Refusal.WOULD_NOT_EXECUTE)
        if order.remaining == 0:
            order.state, order.reason = OrderState.FILLED, EndReason.FULL_FILL
        elif kind in (OrderKind.MARKET, OrderKind.IOC):
            order.state, order.reason = OrderState.CANCELLED, EndReason.IOC_REMAINDER
        elif fills:
            order.reason = EndReason.PARTIAL_FILL  # the rest rests
        return OrderOutcome(order, None, fills, changes)

    def _validate(
        self,
        account: SimAccount,
        spec: SimProductSpec,
        *,
        kind: OrderKind,
        quantity: Decimal,
        limit_price: Decimal | None,
        client_id: str | None,
    ) -> Refusal | None:
        if quantity <= 0 or quantity % spec.size_step != 0:
            return Refusal.INVALID_SIZE
        if kind is not OrderKind.MARKET and (
            limit_price is None or limit_price <= 0 or limit_price % spec.tick_size != 0
        ):
            return Refusal.INVALID_PRICE
        if client_id is not None:
            if len(client_id) > MAX_CLIENT_ID:
                return Refusal.CLIENT_ID_TOO_LONG
            if client_id in account.client_ids:
                return Refusal.CLIENT_ID_IN_USE
        return None

    def _reject(self, order: SimOrder, refusal: Refusal) -> OrderOutcome:
        order.state, order.reason, order.refusal = OrderState.REJECTED, EndReason.REJECTED, refusal
        return OrderOutcome(order, refusal)

    def _reducible(self, account: SimAccount, product: str, side: Side) -> Decimal:
        """How much an order on ``side`` can reduce the position without flipping it."""
        position = account.positions.get(product)
        if position is None or position.size * side.sign >= 0:
            return Decimal(0)
        return abs(position.size)

    def _can_afford(
        self, account: SimAccount, spec: SimProductSpec, quantity: Decimal, price: Decimal
    ) -> bool:
        return _notional(spec, quantity, price) * INITIAL_MARGIN <= self.available_margin(account)

    def _fill(
        self,
        account: SimAccount,
        order: SimOrder,
        execution: Execution,
        *,
        maker: bool,
        now_ns: int,
    ) -> SimFill:
        spec = self.market.spec(order.product)
        rate = self.maker_fee_rate if maker else self.taker_fee_rate
        fee = (_notional(spec, execution.size, execution.price) * rate).quantize(MONEY)
        fill = SimFill(
            self.new_id(),
            order.order_id,
            order.client_id,
            order.product,
            order.side,
            execution.price,
            execution.size,
            fee,
            maker,
            now_ns,
            order.filled,
        )
        order.filled += execution.size
        order.updated_ns = now_ns
        self._apply(account, spec, fill)
        account.fills.append(fill)
        return fill

    def _apply(self, account: SimAccount, spec: SimProductSpec, fill: SimFill) -> None:
        """Move the position and settle realised P&L and the fee into the balance."""
        signed = fill.size * fill.side.sign
        position = account.positions.get(fill.product)
        account.balance -= fill.fee
        account.fees_paid += fill.fee
        if position is None or position.size == 0:
            account.positions[fill.product] = SimPosition(
                fill.product, signed, fill.price, fill.ts_ns
            )
            return
        position.updated_ns = fill.ts_ns
        if position.size * signed > 0:  # adding to the position
            position.entry_price = _average_entry(
                spec, position.size, position.entry_price, signed, fill.price
            )
            position.size += signed
            return
        closing = min(abs(signed), abs(position.size))
        account.balance += _pnl(spec, position.size > 0, position.entry_price, fill.price, closing)
        left = abs(signed) - closing
        if abs(position.size) > closing:
            position.size += signed
        elif left > 0:  # flipped through zero
            position.size, position.entry_price = left * fill.side.sign, fill.price
        else:
            del account.positions[fill.product]

    def cancel_all(
        self,
        key: str,
        product: str | None,
        now_ns: int,
        reason: EndReason = EndReason.CANCELLED_BY_USER,
    ) -> list[SimOrder]:
        """Cancel the account's resting orders (of one product, or all); returns them."""
        cancelled = []
        for order in self.account(key).open_orders():
            if product is None or order.product == product:
                order.state, order.reason, order.updated_ns = OrderState.CANCELLED, reason, now_ns
                cancelled.append(order)
        return cancelled

    def arm_dead_man(self, key: str, timeout_s: int, now_ns: int) -> int | None:
        """Cancel all the account's orders ``timeout_s`` from now unless re-armed; 0 disarms."""
        account = self.account(key)
        account.dead_man_deadline_ns = now_ns + timeout_s * 1_000_000_000 if timeout_s else None
        return account.dead_man_deadline_ns

    def on_time(self, now_ns: int) -> None:
        """Fire due dead-man's switches and fill resting orders the market has reached."""
        for account in self.accounts.values():
            deadline = account.dead_man_deadline_ns
            if deadline is not None and now_ns >= deadline:
                account.dead_man_deadline_ns = None
                self.cancel_all(account.key, None, now_ns, EndReason.DEAD_MAN_SWITCH)
            for order in list(account.open_orders()):
                self._work_resting(account, order, now_ns)

    def _work_resting(self, account: SimAccount, order: SimOrder, now_ns: int) -> None:
        book = self.market.book(order.product, depth=1)
        assert order.limit_price is not None
        reached = (
            book.best_ask <= order.limit_price
            if order.side is Side.BUY
            else book.best_bid >= order.limit_price
        )
        if not reached:
            return
        size = order.remaining
        if order.reduce_only:
            size = min(size, self._reducible(account, order.product, order.side))
            if size == 0:
                order.state, order.reason, order.updated_ns = (
                    OrderState.CANCELLED,
                    EndReason.REJECTED,
                    now_ns,
                )
                return
        self._fill(account, order, Execution(order.limit_price, size), maker=True, now_ns=now_ns)
        order.state, order.reason = OrderState.FILLED, EndReason.FULL_FILL
        if order.remaining > 0:  # reduce-only trimmed it: the rest can never fill
            order.state, order.reason = OrderState.CANCELLED, EndReason.PARTIAL_FILL

    # --- account figures ------------------------------------------------------------------------
    def mark(self, product: str) -> Decimal:
        return self.market.book(product, depth=1).mid

    def position_pnl(self, position: SimPosition) -> Decimal:
        """Unrealised P&L of one position at the mid, in USD."""
        spec = self.market.spec(position.product)
        return _pnl(
            spec,
            position.size > 0,
            position.entry_price,
            self.mark(position.product),
            abs(position.size),
        )

    def unrealized_pnl(self, account: SimAccount) -> Decimal:
        return sum((self.position_pnl(p) for p in account.positions.values()), Decimal(0))

    def initial_margin(self, account: SimAccount, *, with_orders: bool = False) -> Decimal:
        total = Decimal(0)
        for position in account.positions.values():
            spec = self.market.spec(position.product)
            total += _notional(spec, abs(position.size), self.mark(position.product))
        if with_orders:
            for order in account.open_orders():
                spec = self.market.spec(order.product)
                assert order.limit_price is not None
                total += _notional(spec, order.remaining, order.limit_price)
        return (total * INITIAL_MARGIN).quantize(MONEY)

    def maintenance_margin(self, account: SimAccount) -> Decimal:
        return (self.initial_margin(account) / INITIAL_MARGIN * MAINTENANCE_MARGIN).quantize(MONEY)

    def available_margin(self, account: SimAccount) -> Decimal:
        equity = account.balance + self.unrealized_pnl(account)
        return equity - self.initial_margin(account, with_orders=True)


def _notional(spec: SimProductSpec, size: Decimal, price: Decimal) -> Decimal:
    """USD value: inverse contracts are worth their contract size, others size x price."""
    if spec.contract_type is ContractType.INVERSE:
        return size * spec.contract_size
    return size * price * spec.contract_size


def _pnl(
    spec: SimProductSpec, long: bool, entry: Decimal, exit_: Decimal, size: Decimal
) -> Decimal:
    """Realised (or, at the mark, unrealised) P&L in USD of closing ``size`` at ``exit_``."""
    direction = 1 if long else -1
    if spec.contract_type is ContractType.INVERSE:
        in_base = size * spec.contract_size * (1 / entry - 1 / exit_)
        return (in_base * exit_ * direction).quantize(MONEY)
    return ((exit_ - entry) * size * spec.contract_size * direction).quantize(MONEY)


def _average_entry(
    spec: SimProductSpec, size: Decimal, entry: Decimal, added: Decimal, price: Decimal
) -> Decimal:
    """Entry price after adding ``added`` at ``price`` (harmonic for inverse contracts)."""
    size, added = abs(size), abs(added)
    if spec.contract_type is ContractType.INVERSE:
        return (size + added) / (size / entry + added / price)
    return (size * entry + added * price) / (size + added)


def _protected(spec: SimProductSpec, side: Side, touch: Decimal) -> Decimal:
    """A market order's worst price: 1 % through the touch, on the tick grid."""
    if side is Side.BUY:
        raw, rounding = touch * (1 + MARKET_PROTECTION), ROUND_FLOOR
    else:
        raw, rounding = touch * (1 - MARKET_PROTECTION), ROUND_CEILING
    ticks = (raw / spec.tick_size).to_integral_value(rounding=rounding)
    return ticks * spec.tick_size
