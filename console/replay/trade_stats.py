"""The few trade statistics a replay summary and a sweep table need.

Interim: the paper report's statistics (``core.stats``, with bootstrap intervals) are being
built on another branch; once merged, replays use those and this module goes away.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.events import RoundTrip

Z_95 = 1.959963984540054
INFINITY = Decimal("Infinity")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class TradeStats:
    trades: int
    wins: int
    losses: int
    win_rate: Decimal | None
    win_rate_interval: Interval | None
    profit_factor: Decimal | None  # INFINITY: wins and no loss; None: neither
    total_pnl: Decimal
    avg_win: Decimal | None
    avg_loss: Decimal | None
    max_drawdown: Decimal
    fees_paid: Decimal


def compute_stats(round_trips: Sequence[RoundTrip]) -> TradeStats:
    nets = [rt.net_pnl for rt in round_trips]
    wins = [p for p in nets if p > 0]
    losses = [p for p in nets if p < 0]
    gross_wins = sum(wins, _ZERO)
    gross_losses = -sum(losses, _ZERO)
    trades = len(nets)
    return TradeStats(
        trades=trades,
        wins=len(wins),
        losses=len(losses),
        win_rate=Decimal(len(wins)) / trades if trades else None,
        win_rate_interval=wilson_interval(len(wins), trades) if trades else None,
        profit_factor=profit_factor(gross_wins, gross_losses),
        total_pnl=sum(nets, _ZERO),
        avg_win=gross_wins / len(wins) if wins else None,
        avg_loss=-gross_losses / len(losses) if losses else None,
        max_drawdown=max_drawdown(nets),
        fees_paid=sum((rt.fees for rt in round_trips), _ZERO),
    )


def profit_factor(gross_wins: Decimal, gross_losses: Decimal) -> Decimal | None:
    if gross_losses > 0:
        return gross_wins / gross_losses
    return INFINITY if gross_wins > 0 else None


def max_drawdown(nets: Sequence[Decimal]) -> Decimal:
    """Largest fall of cumulative net P&L from its running peak (which starts at zero)."""
    peak = cumulative = worst = _ZERO
    for pnl in nets:
        cumulative += pnl
        peak = max(peak, cumulative)
        worst = max(worst, peak - cumulative)
    return worst


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval:
    """Wilson score interval of a proportion (sane at 0 %, 100 % and small counts)."""
    if trials <= 0:
        raise ValueError("a Wilson interval needs at least one trial")
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))
