"""``SpotExchange``: Binance.us-style spot accounts, orders and fills on top of a ``SimMarket``.

Pure and venue-neutral in shape (time is passed in; the Binance.us REST module maps outcomes to
the venue's JSON). Money is exact ``Decimal``. What it models, from the Binance.us docs:

* balances per asset; a BUY spends quote and receives base, a SELL the reverse;
* the commission is charged in the asset *received* (docs' FULL order answer: a SELL of BTCUSDT
  shows ``commissionAsset: "USDT"``), at ``taker_fee_rate``, rounded half-up to 8 decimals
  (``baseCommissionPrecision``/``quoteCommissionPrecision`` 8);
* MARKET and LIMIT IOC orders fill against the public book and consume it (the level changes
  are returned for publishing); whatever does not fill EXPIRES (order status ``EXPIRED``);
* filters are checked before anything happens: ``LOT_SIZE`` (``quantity % stepSize == 0``,
  ``minQty``), ``PRICE_FILTER`` (tick) and ``NOTIONAL`` (a MARKET order is valued at the mid);
* a BUY needs the quote it will spend (walked on the book), a SELL the base it sells; otherwise
  "Account has insufficient balance for requested action." and nothing happens.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from brokers.sim.market.books import LevelChange, SimMarket
from brokers.sim.market.products import SimProductSpec
from core.enums import Side

COMMISSION_QUANTUM = Decimal("1e-8")
ZERO = Decimal(0)


class SpotRefusal(Enum):
    """Why an order was refused before anything happened (the venue's code and words)."""

    LOT_SIZE = (-1013, "Filter failure: LOT_SIZE")
    PRICE_FILTER = (-1013, "Filter failure: PRICE_FILTER")
    NOTIONAL = (-1013, "Filter failure: NOTIONAL")
    INSUFFICIENT_BALANCE = (-2010, "Account has insufficient balance for requested action.")
    DUPLICATE_ORDER = (-2010, "Duplicate order sent.")

    @property
    def code(self) -> int:
        return self.value[0]

    @property
    def message(self) -> str:
        return self.value[1]


@dataclass(frozen=True, slots=True)
class SpotRules:
    """The filters the sim lists in ``exchangeInfo`` for one spot product."""

    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_price: Decimal
    max_price: Decimal
    min_notional: Decimal


@dataclass(frozen=True, slots=True)
class SpotFill:
    trade_id: int
    order_id: int
    symbol: str
    side: Side
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    ts_ns: int


@dataclass(slots=True)
class SpotOrder:
    order_id: int
    client_id: str
    symbol: str
    side: Side
    order_type: str  # "MARKET" | "LIMIT"
    time_in_force: str  # "" for MARKET, "IOC" | "GTC" | "FOK"
    quantity: Decimal
    price: Decimal  # 0 for MARKET
    created_ns: int
    updated_ns: int
    status: str = "NEW"
    executed: Decimal = ZERO
    quote_qty: Decimal = ZERO  # cummulativeQuoteQty
    fills: list[SpotFill] = field(default_factory=list)


@dataclass(slots=True)
class SpotAccount:
    key: str
    balances: dict[str, Decimal]  # free; nothing is ever locked (no resting orders)
    orders: dict[int, SpotOrder] = field(default_factory=dict)
    client_ids: dict[str, int] = field(default_factory=dict)  # latest order per client id
    trades: list[SpotFill] = field(default_factory=list)

    def balance(self, asset: str) -> Decimal:
        return self.balances.get(asset, ZERO)

    def open_orders(self) -> Iterator[SpotOrder]:
        return (o for o in self.orders.values() if o.status in ("NEW", "PARTIALLY_FILLED"))


@dataclass(slots=True)
class SpotOutcome:
    order: SpotOrder | None  # None when refused
    refusal: SpotRefusal | None = None
    level_changes: list[LevelChange] = field(default_factory=list)


class SpotExchange:
    """Spot matching and balances for any number of accounts (keyed by API key)."""

    def __init__(
        self,
        market: SimMarket,
        *,
        starting_balances: Mapping[str, Decimal] | None = None,
        taker_fee_rate: Decimal = Decimal("0.001"),
        maker_fee_rate: Decimal = Decimal("0.001"),
        min_notional: Decimal = Decimal(10),
    ) -> None:
        self.market = market
        self.starting_balances = dict(starting_balances or {"USDT": Decimal(10_000)})
        self.taker_fee_rate = taker_fee_rate
        self.maker_fee_rate = maker_fee_rate
        self.min_notional = min_notional
        self.accounts: dict[str, SpotAccount] = {}
        self._next_order_id = 1
        self._next_trade_id = 1

    def account(self, key: str) -> SpotAccount:
        if key not in self.accounts:
            self.accounts[key] = SpotAccount(key, dict(self.starting_balances))
        return self.accounts[key]

    def rules(self, symbol: str) -> SpotRules:
        spec = self.market.spec(symbol)
        return SpotRules(
            tick_size=spec.tick_size,
            step_size=spec.size_step,
            min_qty=spec.size_step,
            max_qty=Decimal(9000),
            min_price=spec.tick_size,
            max_price=Decimal(1_000_000),
            min_notional=self.min_notional,
        )

    def spec(self, symbol: str) -> SimProductSpec:
        return self.market.spec(symbol)

    # --- orders -------------------------------------------------------------------------------
    def check(
        self,
        key: str,
        symbol: str,
        side: Side,
        quantity: Decimal,
        *,
        price: Decimal | None,
        client_id: str,
    ) -> SpotRefusal | None:
        """What the venue would refuse this order for (also ``order/test``), or None."""
        rules = self.rules(symbol)
        spec = self.spec(symbol)
        if not rules.min_qty <= quantity <= rules.max_qty or quantity % rules.step_size != 0:
            return SpotRefusal.LOT_SIZE
        if price is not None and (
            not rules.min_price <= price <= rules.max_price or price % rules.tick_size != 0
        ):
            return SpotRefusal.PRICE_FILTER
        value_price = price if price is not None else self.market.book(symbol, depth=1).mid
        if quantity * value_price < rules.min_notional:
            return SpotRefusal.NOTIONAL
        account = self.account(key)
        earlier = account.client_ids.get(client_id)
        if earlier is not None and account.orders[earlier].status in ("NEW", "PARTIALLY_FILLED"):
            return SpotRefusal.DUPLICATE_ORDER
        if side is Side.SELL:
            if account.balance(spec.base) < quantity:
                return SpotRefusal.INSUFFICIENT_BALANCE
        elif account.balance(spec.quote) < self._cost_to_buy(symbol, quantity, price):
            return SpotRefusal.INSUFFICIENT_BALANCE
        return None

    def place(
        self,
        key: str,
        symbol: str,
        side: Side,
        quantity: Decimal,
        *,
        price: Decimal | None = None,
        client_id: str,
        now_ns: int,
    ) -> SpotOutcome:
        """A MARKET order (``price`` None) or a LIMIT IOC order at ``price``."""
        refusal = self.check(key, symbol, side, quantity, price=price, client_id=client_id)
        if refusal is not None:
            return SpotOutcome(None, refusal)
        account = self.account(key)
        order = SpotOrder(
            order_id=self._next_order_id,
            client_id=client_id,
            symbol=symbol,
            side=side,
            order_type="MARKET" if price is None else "LIMIT",
            time_in_force="" if price is None else "IOC",
            quantity=quantity,
            price=price or ZERO,
            created_ns=now_ns,
            updated_ns=now_ns,
        )
        self._next_order_id += 1
        account.orders[order.order_id] = order
        account.client_ids[client_id] = order.order_id
        executions, changes = self.market.execute_market(
            symbol, side, quantity, limit_price=price, now_ns=now_ns
        )
        for execution in executions:
            self._fill(account, order, execution.price, execution.size, now_ns)
        order.status = "FILLED" if order.executed == quantity else "EXPIRED"
        return SpotOutcome(order, None, changes)

    def _cost_to_buy(self, symbol: str, quantity: Decimal, limit: Decimal | None) -> Decimal:
        """Quote a BUY of ``quantity`` would spend now (walking the asks, up to ``limit``)."""
        if limit is not None:
            return quantity * limit
        cost, left = ZERO, quantity
        for price, size in self.market.book(symbol).asks:
            take = min(left, size)
            cost += take * price
            left -= take
            if left <= 0:
                break
        return cost

    def _fill(
        self, account: SpotAccount, order: SpotOrder, price: Decimal, qty: Decimal, now_ns: int
    ) -> None:
        spec = self.spec(order.symbol)
        quote = qty * price
        if order.side is Side.BUY:
            commission = _commission(qty * self.taker_fee_rate)
            asset = spec.base
            account.balances[spec.base] = account.balance(spec.base) + qty - commission
            account.balances[spec.quote] = account.balance(spec.quote) - quote
        else:
            commission = _commission(quote * self.taker_fee_rate)
            asset = spec.quote
            account.balances[spec.base] = account.balance(spec.base) - qty
            account.balances[spec.quote] = account.balance(spec.quote) + quote - commission
        fill = SpotFill(
            self._next_trade_id,
            order.order_id,
            order.symbol,
            order.side,
            price,
            qty,
            commission,
            asset,
            now_ns,
        )
        self._next_trade_id += 1
        order.fills.append(fill)
        order.executed += qty
        order.quote_qty += quote
        order.updated_ns = now_ns
        account.trades.append(fill)

    def find(self, key: str, *, order_id: int | None, client_id: str | None) -> SpotOrder | None:
        account = self.account(key)
        if order_id is not None:
            return account.orders.get(order_id)
        if client_id is not None and client_id in account.client_ids:
            return account.orders[account.client_ids[client_id]]
        return None


def _commission(amount: Decimal) -> Decimal:
    return amount.quantize(COMMISSION_QUANTUM, rounding=ROUND_HALF_UP)
