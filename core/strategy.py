"""The guide's order-book-imbalance strategy: when to open, when to close, and why.

Called once per book update, so the flat, no-signal path (by far the most common) is a couple
of float comparisons. Prices and ratios are floats here; money becomes ``Decimal`` downstream.
Time is wall-clock epoch nanoseconds passed in by the engine, never read here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.book import touch_spread_bps
from core.enums import Side, SignalAction
from core.signals.registry import DEFAULT_SIGNAL, SignalInfo, signal_info

_BUY = SignalAction.BUY
_SELL = SignalAction.SELL
_CLOSE = SignalAction.CLOSE
_LONG = Side.BUY

# Percent thresholds are compared with this slack so that a move of exactly +0.20 % (which is
# 0.19999999999999 % in binary floating point) still counts as hitting a 0.20 % take profit.
_PCT_SLACK = 1e-9
_NEVER = -(1 << 63)  # "no cooldown yet": before any wall-clock time
# An exit zone's price bounds are pulled in by this share of the price: float rounding in
# ``_exit``'s percent arithmetic (~1e-16) can never reach across it.
_ZONE_MARGIN = 1e-9


@dataclass(frozen=True, slots=True)
class StrategyParams:
    """Thresholds of the strategy; the defaults are the guide's (the top-N ratio at 3x / 2x)."""

    entry_ratio: float = 3.0  # BUY when ratio >= entry_ratio; SELL when ratio <= 1/entry_ratio
    reversal_ratio: float = 2.0  # close a long at ratio <= 1/reversal_ratio, a short at >= it
    take_profit_pct: float = 0.20
    stop_loss_pct: float = 0.15
    max_hold_s: float = 300.0
    spread_filter_bps: float = 50.0  # no entry while the spread is wider than this
    cooldown_s: float = 10.0  # no entry this long after any signal
    allow_short: bool = True  # spot venues: False (bearish entries are still reported)
    signal: str = DEFAULT_SIGNAL  # which imbalance signal trades (core.signals.SIGNAL_NAMES)
    # Thresholds of a signal other than the ratio, on its own scale (None: the signal's default).
    # BUY at >= signal_entry, SELL at <= -signal_entry; close a long at <= -signal_exit, a short
    # at >= signal_exit. The ratio keeps entry_ratio / reversal_ratio.
    signal_entry: float | None = None
    signal_exit: float | None = None

    def __post_init__(self) -> None:
        signal_info(self.signal)  # ValueError naming the choices
        if self.signal_entry is not None and not self.signal_entry > 0:
            raise ValueError(f"signal entry must be positive, got {self.signal_entry}")
        if self.signal_exit is not None and not self.signal_exit >= 0:
            raise ValueError(f"signal exit must not be negative, got {self.signal_exit}")
        if not self.entry_ratio > 1.0:
            raise ValueError(f"entry ratio must be above 1.0, got {self.entry_ratio}")
        if not self.reversal_ratio >= 1.0:
            raise ValueError(f"reversal ratio must be at least 1.0, got {self.reversal_ratio}")
        for name in ("take_profit_pct", "stop_loss_pct", "max_hold_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("spread_filter_bps", "cooldown_s"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    @property
    def signal_info(self) -> SignalInfo:
        return signal_info(self.signal)

    @property
    def thresholds(self) -> tuple[float, float, float, float]:
        """(sell at or below, buy at or above, close a long at or below, close a short at or
        above), on the active signal's scale."""
        if self.signal_info.multiplicative:
            entry, exit_ = self.entry_ratio, self.reversal_ratio
            return 1.0 / entry, entry, 1.0 / exit_, exit_
        info = self.signal_info
        entry = info.entry if self.signal_entry is None else self.signal_entry
        exit_ = info.exit if self.signal_exit is None else self.signal_exit
        return -entry, entry, -exit_, exit_


@dataclass(frozen=True, slots=True)
class Decision:
    """What the strategy wants, why (in words a trader reads), at which reference price."""

    action: SignalAction
    reason: str
    ratio: float
    price: float  # best ask for BUY, best bid for SELL, the exit side's best for CLOSE


@dataclass(frozen=True, slots=True)
class ExitZone:
    """Where an open position surely decides nothing: the exit price (best bid for a long, best
    ask for a short) strictly between ``low`` and ``high``, the wall clock before ``until_ns``,
    and the signal above ``signal_above`` (a long) or below ``signal_below`` (a short)."""

    long: bool
    low: float
    high: float
    until_ns: int
    signal_above: float
    signal_below: float


@dataclass(frozen=True, slots=True)
class OpenPosition:
    """The little the strategy needs to know about the open position."""

    side: Side  # BUY = long, SELL = short
    entry_price: float
    opened_wall_ns: int


class ImbalanceStrategy:
    """Turns (imbalance, touch, position, time) into a ``Decision`` or ``None``.

    ``ratio`` is the active signal's value (the guide's ratio by default; see
    ``StrategyParams.thresholds`` for the others' scale). Flat: BUY on ratio >= entry, SELL on
    ratio <= 1/entry (or -entry), only while the spread is within the
    filter and outside the cooldown. ``allow_short=False`` does not hide a bearish entry: it is
    returned as SELL so the engine can show it as ignored on a spot venue.

    In a position: exits are judged on the price we could actually exit at (best bid for a long,
    best ask for a short), in this order: stop loss, take profit, max hold time, imbalance
    reversal. Exits ignore the spread filter and the cooldown: getting out is never delayed.

    Every decision returned (entry or exit) starts the cooldown for entries, which also
    rate-limits a signal that the risk manager keeps blocking.
    """

    __slots__ = (
        "_buy_at",
        "_cooldown_ns",
        "_cooldown_until_ns",
        "_format",
        "_long_exit_at",
        "_max_hold_ns",
        "_sell_at",
        "_short_exit_at",
        "_spread_filter_bps",
        "params",
    )

    def __init__(self, params: StrategyParams) -> None:
        self.params = params
        self._sell_at, self._buy_at, self._long_exit_at, self._short_exit_at = params.thresholds
        self._format = params.signal_info.describe
        self._spread_filter_bps = params.spread_filter_bps
        self._cooldown_ns = round(params.cooldown_s * 1e9)
        self._max_hold_ns = round(params.max_hold_s * 1e9)
        self._cooldown_until_ns = _NEVER  # entries allowed again from this wall-clock time

    def decide(
        self,
        ratio: float,
        best_bid: float,
        best_ask: float,
        position: OpenPosition | None,
        now_ns: int,
        *,
        spread_bps: float | None = None,
    ) -> Decision | None:
        """``spread_bps`` defaults to the touch's; only an entry reads it, so the engine leaves
        it out and a strategy cooling down or in a position never computes it."""
        if position is None:
            # The common cases, answered first and cheapest: a balanced book, or cooling down.
            if self._sell_at < ratio < self._buy_at or now_ns < self._cooldown_until_ns:
                return None
            if spread_bps is None:
                spread_bps = touch_spread_bps(best_bid, best_ask)
            decision = self._entry(ratio, best_bid, best_ask, spread_bps)
        else:
            decision = self._exit(ratio, best_bid, best_ask, position, now_ns)
        if decision is not None:
            self.note_signal(now_ns)
        return decision

    @property
    def quiet_band(self) -> tuple[float, float]:
        """Ratios strictly between these two never make a flat strategy decide anything.

        The engine checks this band itself before calling ``decide`` on every book update.
        """
        return self._sell_at, self._buy_at

    def note_signal(self, now_ns: int) -> None:
        """Start the entry cooldown (``decide`` does this for every decision it returns)."""
        self._cooldown_until_ns = now_ns + self._cooldown_ns

    @property
    def cooldown_until_ns(self) -> int:
        """Wall-clock time before which a flat strategy decides nothing. Only ``decide`` moves
        it (later), so a value read once stays a safe bound until ``decide`` is called again."""
        return self._cooldown_until_ns

    def cooldown_remaining_ns(self, now_ns: int) -> int:
        """Nanoseconds until entries are allowed again; 0 when not cooling down."""
        return max(0, self._cooldown_until_ns - now_ns)

    def exit_zone(self, position: OpenPosition) -> ExitZone:
        """The ``ExitZone`` of ``position``: inside it ``decide`` surely returns None, so a caller
        watching many positions (a sweep's shared pass) can skip asking; near its edges (within
        ``_ZONE_MARGIN``) it is narrower than ``_exit``'s exact test, never wider."""
        entry = position.entry_price
        params = self.params
        stop = (params.stop_loss_pct - _PCT_SLACK) / 100.0
        take = (params.take_profit_pct - _PCT_SLACK) / 100.0
        until = position.opened_wall_ns + self._max_hold_ns
        if not entry > 0.0:  # no zone: every update is asked
            return ExitZone(True, math.inf, -math.inf, _NEVER, math.inf, -math.inf)
        if position.side is _LONG:
            low, high = entry * (1.0 - stop), entry * (1.0 + take)
            above, below = self._long_exit_at, math.inf
        else:
            low, high = entry * (1.0 - take), entry * (1.0 + stop)
            above, below = -math.inf, self._short_exit_at
        low, high = low * (1.0 + _ZONE_MARGIN), high * (1.0 - _ZONE_MARGIN)
        return ExitZone(position.side is _LONG, low, high, until, above, below)

    def _entry(
        self, ratio: float, best_bid: float, best_ask: float, spread_bps: float
    ) -> Decision | None:
        if ratio >= self._buy_at:
            action, price, mood = _BUY, best_ask, "bullish"
        elif ratio <= self._sell_at:
            action, price, mood = _SELL, best_bid, "bearish"
        else:
            return None
        if not spread_bps <= self._spread_filter_bps:  # also refuses a NaN spread
            return None
        return Decision(action, f"Strong {mood} imbalance ({self._format(ratio)})", ratio, price)

    def _exit(
        self, ratio: float, best_bid: float, best_ask: float, position: OpenPosition, now_ns: int
    ) -> Decision | None:
        entry = position.entry_price
        if position.side is _LONG:
            exit_price = best_bid
            pnl_pct = (exit_price - entry) / entry * 100.0
            reversed_ = ratio <= self._long_exit_at
        else:
            exit_price = best_ask
            pnl_pct = (entry - exit_price) / entry * 100.0
            reversed_ = ratio >= self._short_exit_at
        params = self.params
        if pnl_pct <= -params.stop_loss_pct + _PCT_SLACK:
            reason = f"Stop loss hit ({pnl_pct:+.2f}%)"
        elif pnl_pct >= params.take_profit_pct - _PCT_SLACK:
            reason = f"Take profit hit ({pnl_pct:+.2f}%)"
        elif now_ns - position.opened_wall_ns >= self._max_hold_ns:
            reason = f"Max hold time reached ({params.max_hold_s:g}s)"
        elif reversed_:
            reason = f"Imbalance reversal ({self._format(ratio)})"
        else:
            return None
        return Decision(_CLOSE, reason, ratio, exit_price)
