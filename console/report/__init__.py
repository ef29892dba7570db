"""Rendering of session reports and the session list (``report`` and ``sessions`` commands).

from core.store import SessionReader
from console.report import render_report, render_sessions, GateSettings

with SessionReader(db_path) as reader:
    text = render_report(reader.report_data("60days_kraken"), period=None, fmt="text")
    listing = render_sessions(reader.summaries())
"""

from __future__ import annotations

from typing import Literal

from console.report.csv_report import render_periods_csv, render_round_trips_csv
from console.report.json_report import render_json, report_object
from console.report.model import GateSettings, SessionReport, build_report
from console.report.periods import Period, PeriodRow, period_rows
from console.report.sessions import render_sessions
from console.report.text import render_periods, render_text
from core.store import ReportData

ReportFormat = Literal["text", "json", "csv"]
PeriodName = Literal["daily", "weekly", "monthly"]


def render_report(
    data: ReportData,
    *,
    period: PeriodName | None = None,
    fmt: ReportFormat = "text",
    settings: GateSettings | None = None,
) -> str:
    """The ``report`` command's whole output.

    text: the guide's block, confidence, details, gaps and the equity curve; with a period, one
    row per UTC day or ISO week instead. json: everything as one object (``period`` ignored: the
    object always holds both ``daily`` and ``weekly``). csv: the round trips, or with a period
    the period rows.
    """
    report = build_report(data, settings)
    chosen = Period(period) if period else None
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_periods_csv(report, chosen) if chosen else render_round_trips_csv(report)
    if fmt == "text":
        return render_periods(report, chosen) if chosen else render_text(report)
    raise ValueError(f"unknown report format {fmt!r}: use text, json or csv")


__all__ = [
    "GateSettings",
    "Period",
    "PeriodName",
    "PeriodRow",
    "ReportFormat",
    "SessionReport",
    "build_report",
    "period_rows",
    "render_report",
    "render_sessions",
    "report_object",
]
