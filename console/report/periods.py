"""One row per UTC day, ISO week or calendar month: covered hours, trades and P&L in each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from console.report.model import SessionReport
from core.gate_clock import NS_PER_DAY, Span

NS_PER_HOUR = 3_600 * 1_000_000_000
_MONDAY_OFFSET_DAYS = 3  # 1970-01-01 was a Thursday: ISO weeks start 3 days earlier
_EPOCH = dt.date(1970, 1, 1)


class Period(Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"  # the guide's monthly performance review


@dataclass(frozen=True, slots=True)
class PeriodRow:
    label: str  # 2024-06-01, 2024-W22 for the ISO week, 2024-06 for the month
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
    indices = [_index(trip.closed_wall_ns, period) for trip in trips]
    for span in report.clock.covered:  # a span ending at midnight does not touch the next day
        indices += [_index(span.start_ns, period), _index(span.end_ns - 1, period)]
    if not indices:
        return []
    first, last = min(indices), max(indices)
    buckets: dict[int, list[Decimal]] = {}
    fees: dict[int, Decimal] = {}
    for trip in trips:
        index = _index(trip.closed_wall_ns, period)
        buckets.setdefault(index, []).append(trip.net_pnl)
        fees[index] = fees.get(index, Decimal(0)) + trip.fees
    rows = []
    cumulative = Decimal(0)
    for index in range(first, last + 1):
        start = _start_ns(index, period)
        span = Span(start, _start_ns(index + 1, period))
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


def _index(wall_ns: int, period: Period) -> int:
    """The number of the period holding ``wall_ns``: consecutive periods, consecutive numbers."""
    if period is Period.MONTHLY:
        day = _EPOCH + dt.timedelta(days=wall_ns // NS_PER_DAY)
        return day.year * 12 + day.month - 1
    if period is Period.WEEKLY:
        return (wall_ns + _MONDAY_OFFSET_DAYS * NS_PER_DAY) // (7 * NS_PER_DAY)
    return wall_ns // NS_PER_DAY


def _start_ns(index: int, period: Period) -> int:
    if period is Period.MONTHLY:
        first = dt.date(index // 12, index % 12 + 1, 1)
        return (first - _EPOCH).days * NS_PER_DAY
    if period is Period.WEEKLY:
        return index * 7 * NS_PER_DAY - _MONDAY_OFFSET_DAYS * NS_PER_DAY
    return index * NS_PER_DAY


def _label(start_ns: int, period: Period) -> str:
    day = _EPOCH + dt.timedelta(days=start_ns // NS_PER_DAY)
    if period is Period.DAILY:
        return day.isoformat()
    if period is Period.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
