"""One row per UTC day or ISO week: covered hours, trades and P&L in each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from console.report.model import SessionReport
from core.gate_clock import NS_PER_DAY, Span

NS_PER_HOUR = 3_600 * 1_000_000_000
_MONDAY_OFFSET_DAYS = 3  # 1970-01-01 was a Thursday: ISO weeks start 3 days earlier


class Period(Enum):
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class PeriodRow:
    label: str  # 2024-06-01, or 2024-W22 for the ISO week
    span: Span
    covered_ns: int
    trades: int
    wins: int
    net_pnl: Decimal
    fees: Decimal
    cumulative_pnl: Decimal

    @property
    def win_rate(self) -> Decimal | None:
        return Decimal(self.wins) / self.trades if self.trades else None

    @property
    def covered_hours(self) -> Decimal:
        return Decimal(self.covered_ns) / NS_PER_HOUR


def period_rows(report: SessionReport, period: Period) -> list[PeriodRow]:
    """Every period from the first covered moment or trade to the last, empty ones included
    (a day nothing ran shows 0.0 h: that is a gap in the gate clock)."""
    trips = report.data.round_trips
    length = NS_PER_DAY * (7 if period is Period.WEEKLY else 1)
    offset = -_MONDAY_OFFSET_DAYS * NS_PER_DAY if period is Period.WEEKLY else 0
    indices = [(trip.closed_wall_ns - offset) // length for trip in trips]
    for span in report.clock.covered:  # a span ending at midnight does not touch the next day
        indices += [(span.start_ns - offset) // length, (span.end_ns - 1 - offset) // length]
    if not indices:
        return []
    first, last = min(indices), max(indices)
    buckets: dict[int, list[Decimal]] = {}
    fees: dict[int, Decimal] = {}
    for trip in trips:
        index = (trip.closed_wall_ns - offset) // length
        buckets.setdefault(index, []).append(trip.net_pnl)
        fees[index] = fees.get(index, Decimal(0)) + trip.fees
    rows = []
    cumulative = Decimal(0)
    for index in range(first, last + 1):
        start = index * length + offset
        span = Span(start, start + length)
        nets = buckets.get(index, [])
        net = sum(nets, Decimal(0))
        cumulative += net
        rows.append(
            PeriodRow(
                label=_label(start, period),
                span=span,
                covered_ns=report.clock.covered_within(span),
                trades=len(nets),
                wins=sum(1 for n in nets if n > 0),
                net_pnl=net,
                fees=fees.get(index, Decimal(0)),
                cumulative_pnl=cumulative,
            )
        )
    return rows


def _label(start_ns: int, period: Period) -> str:
    day = dt.date(1970, 1, 1) + dt.timedelta(days=start_ns // NS_PER_DAY)
    if period is Period.DAILY:
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
