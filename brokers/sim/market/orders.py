"""The vocabulary of the simulated exchange: orders, fills, positions, accounts, outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from brokers.sim.market.books import LevelChange
from core.enums import Side


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
    # The account's own fee tier (fractions of notional); None: the exchange's default rates.
    taker_fee_rate: Decimal | None = None
    maker_fee_rate: Decimal | None = None

    def open_orders(self) -> Iterator[SimOrder]:
        return (o for o in self.orders.values() if o.state is OrderState.OPEN)


@dataclass(slots=True)
class OrderOutcome:
    """What ``place`` did: the order (None if refused before one existed) and its fills."""

    order: SimOrder | None
    refusal: Refusal | None = None
    fills: list[SimFill] = field(default_factory=list)
    level_changes: list[LevelChange] = field(default_factory=list)
