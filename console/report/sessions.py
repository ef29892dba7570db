"""``l2console sessions``: every session in the database, one line each."""

from __future__ import annotations

from collections.abc import Sequence

from console.report.formatting import days, usd, utc
from core.gate_clock import coverage
from core.store import RunRecord, SessionSummary

HEADER = ("Session", "Venue", "Symbol", "Mode", "Days", "Trades", "Net P&L", "Last Run (UTC)")
_RIGHT_ALIGNED = {4, 5, 6}


def render_sessions(summaries: Sequence[SessionSummary]) -> str:
    if not summaries:
        return "No sessions recorded yet: start one with `l2console paper --session NAME`\n"
    table = [HEADER, *(_cells(summary) for summary in summaries)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = []
    for row in table:
        cells = [
            cell.rjust(width) if i in _RIGHT_ALIGNED else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _cells(summary: SessionSummary) -> tuple[str, ...]:
    session = summary.session
    covered = coverage(run.span for run in summary.runs)
    return (
        session.name,
        session.venue,
        session.symbol,
        session.mode.value,
        days(covered.days),
        f"{summary.trades:,}",
        usd(summary.net_pnl),
        _last_run(summary.last_run),
    )


def _last_run(run: RunRecord | None) -> str:
    if run is None:
        return "never"
    if run.how_ended is None:  # running now, or stopped without a word (the next open will tell)
        return f"running? last seen {utc(run.last_alive_ns)}"
    return f"{utc(run.covered_until_ns)} {run.how_ended.value}"
