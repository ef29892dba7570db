"""``report --format json``: the whole report as one JSON object with stable keys.

Money is a string holding the exact decimal (``"4235.67"``), so nothing is lost to floating
point; averages and other derived amounts are rounded to 8 decimals. Rates, days and intervals
are numbers. A profit factor is a number, ``"inf"`` with no losses, or ``null`` with no trades.
Every key is always present (``null`` when there is nothing to say). The keys are listed in
the README (``report --format json`` keys); ``JSON_SCHEMA_VERSION`` changes only if one is renamed or removed.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from console.report.formatting import derived, iso_utc, plain
from console.report.model import SessionReport
from console.report.periods import Period, PeriodRow, period_rows
from core.stats import Interval, SideStats

JSON_SCHEMA_VERSION = 1


def render_json(report: SessionReport) -> str:
    return json.dumps(report_object(report), ensure_ascii=False, indent=2) + "\n"


def report_object(report: SessionReport) -> dict[str, object]:
    stats, clock, session, gate = report.stats, report.clock, report.data.session, report.gate
    span = clock.calendar_span
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "session": {
            "name": session.name,
            "venue": session.venue,
            "symbol": session.symbol,
            "mode": session.mode.value,
            "created_utc": iso_utc(session.created_ns),
            "final": not report.data.running,
            "parameters": dict(session.parameters),
        },
        "gate_clock": {
            "days_covered": float(clock.days),
            "calendar_days": float(clock.calendar_days),
            "first_utc": iso_utc(span.start_ns) if span else None,
            "last_utc": iso_utc(span.end_ns) if span else None,
            "runs": [
                {
                    "started_utc": iso_utc(run.started_ns),
                    "covered_until_utc": iso_utc(run.covered_until_ns),
                    "how_ended": run.how_ended.value if run.how_ended else "running",
                }
                for run in report.data.runs
            ],
            "gaps": [
                {
                    "start_utc": iso_utc(gap.start_ns),
                    "end_utc": iso_utc(gap.end_ns),
                    "hours": gap.duration_ns / 3.6e12,
                }
                for gap in clock.gaps
            ],
        },
        "trades": {
            "total": stats.trades,
            "wins": stats.wins,
            "losses": stats.losses,
            "flat": stats.flat,
            "per_day": _number(stats.trades_per_day),
            "longest_losing_streak": stats.longest_losing_streak,
            "long": _side(stats.longs),
            "short": _side(stats.shorts),
        },
        "win_rate": _number(stats.win_rate),
        "win_rate_interval": _interval(stats.win_rate_interval),
        "profit_factor": _factor(stats.profit_factor),
        "profit_factor_interval": _interval(stats.profit_factor_interval),
        "pnl": {
            "total": plain(stats.total_pnl),
            "gross": plain(stats.gross_pnl),
            "average": derived(stats.avg_pnl),
            "average_win": derived(stats.avg_win),
            "average_loss": derived(stats.avg_loss),
            "gross_wins": plain(stats.gross_wins),
            "gross_losses": plain(stats.gross_losses),
            "max_drawdown": plain(stats.max_drawdown),
            "fees_paid": plain(stats.fees_paid),
        },
        "avg_slippage_bps": derived(stats.avg_slippage_bps),
        "signals": dict(report.data.signal_outcomes),
        "fill_bands": [
            {
                "model": band.model,
                "execution": band.execution,
                "runs": band.runs,
                "trades": band.trades,
                "net_pnl": plain(band.net_pnl),
                "runs_ended_open": band.open_runs,
                "short_orders": band.short_orders,
            }
            for band in report.data.fill_bands
        ],
        "open_positions": [
            {
                "product": p.product,
                "quantity": plain(p.quantity),
                "entry_price": plain(p.entry_price),
                "opened_utc": iso_utc(p.opened_wall_ns),
            }
            for p in report.open_positions
        ],
        "gate": {
            "name": gate.gate.value,
            "ready": gate.ready,
            "requirements": [
                {
                    "name": r.kind.value,
                    "threshold": plain(r.threshold),
                    "actual": _exact(r.actual),
                    "met": r.met,
                }
                for r in gate.requirements
            ],
            "missing": [r.kind.value for r in gate.missing],
            "confidence": [note.sentence for note in gate.confidence],
        },
        "daily": [_period(row) for row in period_rows(report, Period.DAILY)],
        "weekly": [_period(row) for row in period_rows(report, Period.WEEKLY)],
    }


def _period(row: PeriodRow) -> dict[str, object]:
    return {
        "period": row.label,
        "start_utc": iso_utc(row.span.start_ns),
        "covered_hours": float(row.covered_hours),
        "trades": row.trades,
        "wins": row.wins,
        "net_pnl": plain(row.net_pnl),
        "fees": plain(row.fees),
        "cumulative_pnl": plain(row.cumulative_pnl),
    }


def _side(side: SideStats) -> dict[str, object]:
    return {"trades": side.trades, "wins": side.wins, "net_pnl": plain(side.net_pnl)}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _factor(value: Decimal | None) -> float | str | None:
    if value is None:
        return None
    return "inf" if value.is_infinite() else float(value)


def _exact(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return "inf" if value.is_infinite() else plain(value)


def _interval(interval: Interval | None) -> list[float | str] | None:
    if interval is None:
        return None
    return ["inf" if math.isinf(x) else x for x in (interval.low, interval.high)]
