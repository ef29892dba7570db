"""``report --format csv``: the round trips, one row each (or the period rows with a period)."""

from __future__ import annotations

import csv
import io

from console.report.formatting import iso_utc, plain
from console.report.model import SessionReport
from console.report.periods import Period, period_rows
from core.enums import Side

ROUND_TRIP_COLUMNS = (
    "number",
    "product",
    "side",
    "quantity",
    "entry_price",
    "exit_price",
    "gross_pnl",
    "fees",
    "net_pnl",
    "opened_utc",
    "closed_utc",
    "hold_seconds",
    "opened_ns",
    "closed_ns",
)
PERIOD_COLUMNS = (
    "period",
    "start_utc",
    "covered_hours",
    "trades",
    "wins",
    "net_pnl",
    "fees",
    "cumulative_pnl",
)


def render_round_trips_csv(report: SessionReport) -> str:
    """Exact decimals, UTC times (ISO 8601) and the nanosecond times they came from."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROUND_TRIP_COLUMNS)
    for number, trip in enumerate(report.data.round_trips, start=1):
        writer.writerow(
            (
                number,
                trip.product,
                "long" if trip.side is Side.BUY else "short",
                plain(trip.quantity),
                plain(trip.entry_price),
                plain(trip.exit_price),
                plain(trip.gross_pnl),
                plain(trip.fees),
                plain(trip.net_pnl),
                iso_utc(trip.opened_wall_ns),
                iso_utc(trip.closed_wall_ns),
                f"{trip.hold_ns / 1e9:.3f}",
                trip.opened_wall_ns,
                trip.closed_wall_ns,
            )
        )
    return out.getvalue()


def render_periods_csv(report: SessionReport, period: Period) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PERIOD_COLUMNS)
    for row in period_rows(report, period):
        writer.writerow(
            (
                row.label,
                iso_utc(row.span.start_ns),
                f"{row.covered_hours:.3f}",
                row.trades,
                row.wins,
                plain(row.net_pnl),
                plain(row.fees),
                plain(row.cumulative_pnl),
            )
        )
    return out.getvalue()
