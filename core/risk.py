"""The risk manager: every rule between a decision and an order, in one place.

``vet`` judges a decision. Entries are checked against the trading state (``core.trading_state``:
the kill switch, the pause), the book's health, the daily loss limit (UTC day), the trades-per-day
limit, the position limit and the venue's minimum order size and value, in that order; the first
failing check is the verdict. Every refusal is counted per category so the UI and the report can
say how often and why the strategy was held back. A short entry on a long-only (spot) venue is
not refused but *ignored*: it is not a limit, the venue simply has no such trade.

Exits are never refused: closing a position only ever reduces risk, and refusing one would be
the worst possible outcome of a safety check (a position left open on the kill switch, or a
stop loss that does not stop). ``check_exit`` exists so the engine treats both paths alike.

Time is wall-clock epoch nanoseconds passed in. Unix time has no leap seconds, so the UTC day
is simply ``now_wall_ns // 86_400 s``. Counters roll over when a later day is seen; a clock
stepping backwards across midnight does not reopen yesterday (the counts are kept).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from types import MappingProxyType

from core.enums import BookState, SignalAction
from core.instrument import Instrument
from core.trading_state import Restriction, TradingState, TradingStatus

_NS_PER_DAY = 86_400 * 1_000_000_000
_EPOCH = dt.date(1970, 1, 1)
_ZERO = Decimal(0)
NO_SHORTING = "spot: no shorting"


def _usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"


@dataclass(frozen=True, slots=True)
class RiskLimits:
    max_daily_loss_usd: Decimal = Decimal(50)
    max_position_usd: Decimal = Decimal(100)
    max_trades_per_day: int = 10

    def __post_init__(self) -> None:
        if self.max_daily_loss_usd <= 0:
            raise ValueError(f"max daily loss must be positive, got {self.max_daily_loss_usd}")
        if self.max_position_usd <= 0:
            raise ValueError(f"max position must be positive, got {self.max_position_usd}")
        if self.max_trades_per_day < 1:
            raise ValueError(
                f"max trades per day must be at least 1, got {self.max_trades_per_day}"
            )


@dataclass(frozen=True, slots=True)
class RiskVerdict:
    allowed: bool
    reason: str = ""  # short human phrase when refused, e.g. "kill switch engaged"
    ignored: bool = False  # refused as a trade the venue does not have (no limit was reached)


class BlockCategory(Enum):
    """Why entries were refused, as counted in ``RiskManager.blocked``."""

    KILL_SWITCH = "kill_switch"
    PAUSED = "paused"
    BOOK_NOT_LIVE = "book_not_live"
    DAILY_LOSS = "daily_loss"
    TRADES_PER_DAY = "trades_per_day"
    POSITION_LIMIT = "position_limit"
    ORDER_SIZE = "order_size"  # below the venue's minimum size or value
    HALTED = "halted"  # decisions held (no entry reaches the risk manager then)
    MAINTENANCE = "maintenance"  # a venue maintenance window ahead or under way


_ALLOWED = RiskVerdict(True)
_IGNORED_SHORT = RiskVerdict(False, NO_SHORTING, ignored=True)
_RESTRICTION_CATEGORY = {
    Restriction.KILL_SWITCH_FLATTENING: BlockCategory.KILL_SWITCH,
    Restriction.KILL_SWITCH: BlockCategory.KILL_SWITCH,
    Restriction.PAUSED: BlockCategory.PAUSED,
    Restriction.DECISIONS_HELD: BlockCategory.HALTED,
    Restriction.STORE_FAILED: BlockCategory.HALTED,
    Restriction.MAINTENANCE: BlockCategory.MAINTENANCE,
}


class RiskManager:
    """Keeps the day's trade count and realized P&L and judges each decision against the rules."""

    def __init__(
        self, limits: RiskLimits, instrument: Instrument, *, long_only: bool = False
    ) -> None:
        self.limits = limits
        self._instrument = instrument
        self._long_only = long_only
        self._day_index: int | None = None
        self._trades_today = 0
        self._realized_today = _ZERO
        self._blocked = {category.value: 0 for category in BlockCategory}

    # -- verdicts ------------------------------------------------------------------------

    def vet(
        self,
        action: SignalAction,
        quantity: Decimal,
        price: Decimal,
        *,
        trading: TradingStatus,
        book_state: BookState,
        position_quantity: Decimal,
        unrealized_pnl_usd: Decimal,
        now_wall_ns: int,
    ) -> RiskVerdict:
        """The verdict on a decision to trade ``quantity`` at about ``price``."""
        if action is SignalAction.CLOSE:
            return self.check_exit()
        if action is SignalAction.SELL and self._long_only:
            return _IGNORED_SHORT
        instrument = self._instrument
        verdict = self.check_entry(
            trading=trading,
            book_state=book_state,
            order_notional_usd=instrument.notional_usd(quantity, price),
            position_notional_usd=instrument.notional_usd(position_quantity, price),
            unrealized_pnl_usd=unrealized_pnl_usd,
            now_wall_ns=now_wall_ns,
        )
        if verdict.allowed:
            return self.check_size(quantity, price)
        return verdict

    def check_entry(
        self,
        *,
        trading: TradingStatus,
        book_state: BookState,
        order_notional_usd: Decimal,
        position_notional_usd: Decimal,
        unrealized_pnl_usd: Decimal,
        now_wall_ns: int,
    ) -> RiskVerdict:
        self.roll(now_wall_ns)
        limits = self.limits
        restriction = trading.restriction
        if trading.state is not TradingState.ACTIVE and restriction is not None:
            return self._block(_RESTRICTION_CATEGORY[restriction], trading.reason)
        if book_state is not BookState.LIVE:
            return self._block(BlockCategory.BOOK_NOT_LIVE, f"book {book_state.value}")
        day_pnl = self._realized_today + unrealized_pnl_usd
        if day_pnl <= -limits.max_daily_loss_usd:
            loss, limit = _usd(-day_pnl), _usd(limits.max_daily_loss_usd)
            return self._block(
                BlockCategory.DAILY_LOSS, f"daily loss limit reached (-{loss} of {limit})"
            )
        if self._trades_today >= limits.max_trades_per_day:
            return self._block(
                BlockCategory.TRADES_PER_DAY,
                f"trades per day limit ({limits.max_trades_per_day})",
            )
        if abs(position_notional_usd) + abs(order_notional_usd) > limits.max_position_usd:
            return self._block(
                BlockCategory.POSITION_LIMIT, f"position limit ({_usd(limits.max_position_usd)})"
            )
        return _ALLOWED

    def check_exit(self) -> RiskVerdict:
        """Always allowed, whatever the trading state: see the module docstring."""
        return _ALLOWED

    def check_size(self, quantity: Decimal, price: Decimal) -> RiskVerdict:
        """The venue's minimum order size and value."""
        instrument = self._instrument
        if quantity <= 0 or quantity < instrument.min_size:
            return self._block(
                BlockCategory.ORDER_SIZE, "order size below the venue's minimum size"
            )
        if instrument.notional_usd(quantity, price) < instrument.min_notional:
            minimum = instrument.min_notional
            return self._block(
                BlockCategory.ORDER_SIZE, f"order value below the venue's minimum ({minimum})"
            )
        return _ALLOWED

    def _block(self, category: BlockCategory, reason: str) -> RiskVerdict:
        self._blocked[category.value] += 1
        return RiskVerdict(False, reason)

    # -- the day's book-keeping ----------------------------------------------------------

    def record_entry(self, now_wall_ns: int) -> None:
        """One more trade today (entries count toward the trades-per-day limit)."""
        self.roll(now_wall_ns)
        self._trades_today += 1

    def record_realized(self, net_pnl_usd: Decimal, now_wall_ns: int) -> None:
        """Net P&L (after fees) realized by a close, on the UTC day it happened."""
        self.roll(now_wall_ns)
        self._realized_today += net_pnl_usd

    def restore_day(self, *, day: dt.date, trades: int, realized_pnl_usd: Decimal) -> None:
        """Resume a session: the counts of ``day`` as the store recorded them."""
        self._day_index = (day - _EPOCH).days
        self._trades_today = trades
        self._realized_today = realized_pnl_usd

    def roll(self, now_wall_ns: int) -> None:
        """Start a fresh UTC day if ``now_wall_ns`` is in a later one."""
        day_index = now_wall_ns // _NS_PER_DAY
        if self._day_index is None or day_index > self._day_index:
            self._day_index = day_index
            self._trades_today = 0
            self._realized_today = _ZERO

    # -- reading -------------------------------------------------------------------------

    @property
    def day(self) -> dt.date | None:
        """The UTC day the counters belong to (None before anything happened)."""
        return None if self._day_index is None else _EPOCH + dt.timedelta(days=self._day_index)

    @property
    def trades_today(self) -> int:
        return self._trades_today

    @property
    def realized_today(self) -> Decimal:
        return self._realized_today

    @property
    def blocked(self) -> Mapping[str, int]:
        """Refusals per category (``BlockCategory`` values), since start."""
        return MappingProxyType(self._blocked)

    @property
    def blocked_total(self) -> int:
        return sum(self._blocked.values())
