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
from collections.abc import Callable
from decimal import Decimal

from brokers.sim.market.accounting import MONEY, average_entry, notional, pnl, protected_price
from brokers.sim.market.books import Execution, SimMarket
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
from brokers.sim.market.products import SimProductSpec
from core.enums import Side

INITIAL_MARGIN = Decimal("0.02")
MAINTENANCE_MARGIN = Decimal("0.01")
MAX_CLIENT_ID = 100


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

    def fee_rates(self, account: SimAccount) -> tuple[Decimal, Decimal]:
        """The account's (taker, maker) rates: its own tier, else the exchange's defaults."""
        taker = self.taker_fee_rate if account.taker_fee_rate is None else account.taker_fee_rate
        maker = self.maker_fee_rate if account.maker_fee_rate is None else account.maker_fee_rate
        return taker, maker

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
        book = self.market.book(product, depth=1)
        touch = book.best_ask if side is Side.BUY else book.best_bid
        bound = protected_price(spec, side, touch) if kind is OrderKind.MARKET else limit_price
        if refusal is None and not reduce_only:
            assert bound is not None
            if not self._can_afford(account, spec, quantity, bound):
                refusal = Refusal.INSUFFICIENT_FUNDS
        if refusal is not None:
            return OrderOutcome(None, refusal)
        assert bound is not None
        order = SimOrder(
            self.new_id(),
            client_id,
            product,
            side,
            kind,
            quantity,
            bound,
            reduce_only,
            received_ns=now_ns,
            updated_ns=now_ns,
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
        marketable = bound >= touch if side is Side.BUY else bound <= touch
        if kind is OrderKind.POST_ONLY and marketable:
            return self._reject(order, Refusal.POST_WOULD_EXECUTE)
        if not marketable:
            if kind in (OrderKind.MARKET, OrderKind.IOC):
                return self._reject(order, Refusal.WOULD_NOT_EXECUTE)
            return OrderOutcome(order)  # rests
        return self._take(account, order, now_ns)

    def _take(self, account: SimAccount, order: SimOrder, now_ns: int) -> OrderOutcome:
        """Execute a marketable order against the book, then settle what is left of it."""
        executions, changes = self.market.execute_market(
            order.product,
            order.side,
            order.quantity,
            limit_price=order.limit_price,
            now_ns=now_ns,
        )
        fills = [self._fill(account, order, ex, maker=False, now_ns=now_ns) for ex in executions]
        immediate = order.kind in (OrderKind.MARKET, OrderKind.IOC)
        if not fills and immediate:
            return self._reject(order, Refusal.WOULD_NOT_EXECUTE)
        if order.remaining == 0:
            order.state, order.reason = OrderState.FILLED, EndReason.FULL_FILL
        elif immediate:
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
        return notional(spec, quantity, price) * INITIAL_MARGIN <= self.available_margin(account)

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
        rate = self.fee_rates(account)[1 if maker else 0]
        fee = (notional(spec, execution.size, execution.price) * rate).quantize(MONEY)
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
            position.entry_price = average_entry(
                spec, position.size, position.entry_price, signed, fill.price
            )
            position.size += signed
            return
        closing = min(abs(signed), abs(position.size))
        account.balance += pnl(spec, position.size > 0, position.entry_price, fill.price, closing)
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
        return pnl(
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
            total += notional(spec, abs(position.size), self.mark(position.product))
        if with_orders:
            for order in account.open_orders():
                spec = self.market.spec(order.product)
                assert order.limit_price is not None
                total += notional(spec, order.remaining, order.limit_price)
        return (total * INITIAL_MARGIN).quantize(MONEY)

    def maintenance_margin(self, account: SimAccount) -> Decimal:
        return (self.initial_margin(account) / INITIAL_MARGIN * MAINTENANCE_MARGIN).quantize(MONEY)

    def available_margin(self, account: SimAccount) -> Decimal:
        equity = account.balance + self.unrealized_pnl(account)
        return equity - self.initial_margin(account, with_orders=True)
