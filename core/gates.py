"""Promotion gates: when paper results justify live micro-capital, and live results more capital.

Gate 5→6 (paper → live): enough covered days, win rate and profit factor above their targets, and
a minimum number of trades. Gate 6→7 (live micro-capital → more): enough covered live days and
break-even or better. READY only when every requirement holds. The 95 % intervals are not
requirements; when one still includes its target, the gate says so in words, because a win rate
of 54 % over 60 trades is not yet distinguishable from a coin.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from core.gate_clock import Coverage
from core.stats import Interval, TradeStats


class Gate(Enum):
    PAPER_TO_LIVE = "5→6"
    LIVE_TO_SCALE = "6→7"


class RequirementKind(Enum):
    DAYS = "days"
    WIN_RATE = "win_rate"
    PROFIT_FACTOR = "profit_factor"
    MIN_TRADES = "min_trades"
    NET_PNL = "net_pnl"


@dataclass(frozen=True, slots=True)
class PaperGateThresholds:
    """Gate 5→6. ``win_rate`` is a fraction (0.50 = 50 %); the comparisons are strict (>)."""

    days: Decimal = Decimal(60)
    win_rate: Decimal = Decimal("0.50")
    profit_factor: Decimal = Decimal("1.0")
    min_trades: int = 100


@dataclass(frozen=True, slots=True)
class LiveGateThresholds:
    """Gate 6→7: ``days`` of live micro-capital and a net P&L of at least ``net_pnl`` USD."""

    days: Decimal = Decimal(30)
    net_pnl: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One line of a gate. ``actual`` is None when it cannot be measured yet (no trades)."""

    kind: RequirementKind
    threshold: Decimal
    actual: Decimal | None
    met: bool


@dataclass(frozen=True, slots=True)
class ConfidenceNote:
    """Where a 95 % interval sits against its target, in words."""

    kind: RequirementKind  # WIN_RATE or PROFIT_FACTOR
    interval: Interval
    threshold: Decimal

    @property
    def includes_threshold(self) -> bool:
        return self.interval.contains(float(self.threshold))

    @property
    def sentence(self) -> str:
        if self.kind is RequirementKind.WIN_RATE:
            shown = f"Win rate 95% interval {_pct(self.interval.low)}–{_pct(self.interval.high)}"
            target, meaning = f"{plain_number(self.threshold * 100)}%", "chance"
        else:
            low, high = _factor(self.interval.low), _factor(self.interval.high)
            shown = f"Profit factor 95% interval {low}–{high}"
            target, meaning = factor_text(self.threshold), "break-even"
        if self.includes_threshold:
            return f"{shown} still includes {target}: not yet distinguishable from {meaning}"
        side = "above" if self.interval.low > float(self.threshold) else "below"
        return f"{shown} is {side} {target}"


@dataclass(frozen=True, slots=True)
class GateReport:
    gate: Gate
    requirements: tuple[Requirement, ...]
    confidence: tuple[ConfidenceNote, ...] = ()

    @property
    def ready(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def missing(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if not r.met)

    def requirement(self, kind: RequirementKind) -> Requirement:
        return next(r for r in self.requirements if r.kind is kind)


def evaluate_paper_gate(
    stats: TradeStats, clock: Coverage, thresholds: PaperGateThresholds | None = None
) -> GateReport:
    t = thresholds or PaperGateThresholds()
    days = clock.days
    pf = stats.profit_factor
    requirements = (
        Requirement(RequirementKind.DAYS, t.days, days, days >= t.days),
        Requirement(
            RequirementKind.WIN_RATE,
            t.win_rate,
            stats.win_rate,
            stats.win_rate is not None and stats.win_rate > t.win_rate,
        ),
        Requirement(
            RequirementKind.PROFIT_FACTOR,
            t.profit_factor,
            pf,
            pf is not None and pf > t.profit_factor,
        ),
        Requirement(
            RequirementKind.MIN_TRADES,
            Decimal(t.min_trades),
            Decimal(stats.trades),
            stats.trades >= t.min_trades,
        ),
    )
    notes = []
    if stats.win_rate_interval is not None:
        notes.append(ConfidenceNote(RequirementKind.WIN_RATE, stats.win_rate_interval, t.win_rate))
    if stats.profit_factor_interval is not None:
        notes.append(
            ConfidenceNote(
                RequirementKind.PROFIT_FACTOR, stats.profit_factor_interval, t.profit_factor
            )
        )
    return GateReport(Gate.PAPER_TO_LIVE, requirements, tuple(notes))


def evaluate_live_gate(
    stats: TradeStats, clock: Coverage, thresholds: LiveGateThresholds | None = None
) -> GateReport:
    """Break-even needs evidence: with no trade at all the P&L requirement is not met."""
    t = thresholds or LiveGateThresholds()
    days = clock.days
    pnl = stats.total_pnl if stats.trades else None
    requirements = (
        Requirement(RequirementKind.DAYS, t.days, days, days >= t.days),
        Requirement(RequirementKind.NET_PNL, t.net_pnl, pnl, pnl is not None and pnl >= t.net_pnl),
    )
    return GateReport(Gate.LIVE_TO_SCALE, requirements)


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.1f}%"


def _factor(value: float) -> str:
    return "∞" if value == float("inf") else f"{value:.2f}"


def plain_number(value: Decimal) -> str:
    """50 -> "50", 52.50 -> "52.5": a threshold as a person writes it."""
    return format(value.normalize(), "f")


def factor_text(value: Decimal) -> str:
    """1 -> "1.0", 1.25 -> "1.25": a profit-factor threshold keeps one decimal, as the guide's."""
    text = plain_number(value)
    return text if "." in text else f"{text}.0"
