"""The ``report`` command's text: the guide's block word for word, then what the guide lacks
(confidence, details, gaps, the equity curve)."""

from __future__ import annotations

from decimal import Decimal

from console.report.bands import stored_band_lines
from console.report.chart import equity_curve
from console.report.formatting import (
    NOT_AVAILABLE,
    average_or_na,
    days,
    duration,
    factor,
    percent,
    usd,
    utc,
)
from console.report.model import SessionReport
from console.report.periods import Period, PeriodRow, period_rows
from core.gates import Gate, Requirement, RequirementKind, factor_text, plain_number
from core.stats import SideStats

MAX_GAPS_SHOWN = 10
_READY = {
    Gate.PAPER_TO_LIVE: "READY FOR LIVE TRADING",
    Gate.LIVE_TO_SCALE: "READY TO SCALE UP",
}


def render_text(report: SessionReport) -> str:
    lines = guide_block(report)
    lines += ["", *confidence_lines(report), "", *detail_lines(report)]
    if not report.is_live:  # live orders are never shadowed
        lines += ["", *stored_band_lines(report.data.fill_bands, len(report.data.runs))]
    lines += ["", *curve_lines(report)]
    return "\n".join(lines) + "\n"


def guide_block(report: SessionReport) -> list[str]:
    """The guide's ``FINAL PAPER TRADING REPORT`` block, same words, order and formatting."""
    stats, gate = report.stats, report.gate
    required = gate.requirement(RequirementKind.DAYS).threshold
    win_target = _win_rate_target(report)
    pf_target = _profit_factor_target(report)
    kind = "LIVE" if report.is_live else "PAPER"
    lines = [
        title(report, kind),
        f"Days Running: {days(report.clock.days)} / {plain_number(required)} days required",
        f"Total Trades: {stats.trades}",
        f"Winning Trades: {stats.wins}",
        f"Losing Trades: {stats.losses}",
        f"Win Rate: {percent(stats.win_rate)} (Target: >{win_target})",
        f"Total P&L: {usd(stats.total_pnl)}",
        f"Avg Win: {average_or_na(stats.avg_win)}",
        f"Avg Loss: {average_or_na(stats.avg_loss)}",
        f"Profit Factor: {factor(stats.profit_factor)} (Target: >{pf_target})",
        f"Max Drawdown: {usd(stats.max_drawdown)}",
        "",
        f"Gate {gate.gate.value} Requirements:",
    ]
    # Every requirement the verdict below judges is listed (the guide's three, then the minimum
    # trade count), so a ✗ in the verdict always has its line.
    lines += [f"  [{'✓' if r.met else '✗'}] {_requirement(r, report)}" for r in gate.requirements]
    if gate.ready:
        lines.append(f"✓ ALL GATE {gate.gate.value} REQUIREMENTS MET - {_READY[gate.gate]}")
    else:
        missing = ", ".join(_missing(r, report) for r in gate.missing)
        lines.append(f"✗ GATE {gate.gate.value} REQUIREMENTS NOT MET - missing: {missing}")
    return lines


def title(report: SessionReport, kind: str) -> str:
    """The guide's ``FINAL`` title, only once no run is open: a running session is interim."""
    if not report.data.running:
        return f"FINAL {kind} TRADING REPORT - Session: {report.name}"
    as_of = max(run.covered_until_ns for run in report.data.runs)
    return (
        f"INTERIM {kind} TRADING REPORT (a run is still open; as of {utc(as_of)} UTC) "
        f"- Session: {report.name}"
    )


def confidence_lines(report: SessionReport) -> list[str]:
    """The 95 % intervals, in words."""
    lines = ["Confidence (95%):"]
    notes = report.gate.confidence
    if not notes and report.stats.trades == 0:
        lines.append("  No round trips yet: nothing to estimate")
    lines += [f"  {note.sentence}" for note in notes]
    return lines


def detail_lines(report: SessionReport) -> list[str]:
    stats, session, clock = report.stats, report.data.session, report.clock
    span = clock.calendar_span
    outcomes = report.data.signal_outcomes
    lines = [
        "Details:",
        f"  Market: {session.venue} {session.symbol} ({session.mode.value})",
        f"  Calendar Span: {days(clock.calendar_days)} days"
        + (f" ({utc(span.start_ns)} → {utc(span.end_ns)} UTC)" if span else ""),
        f"  Covered: {days(clock.days)} days in {_count(len(report.data.runs), 'run')}, "
        f"{_count(len(clock.gaps), 'gap')} not counted",
    ]
    lines += _gap_lines(report)
    lines += [
        f"  Fees Paid: {usd(stats.fees_paid)}",
        f"  Avg Slippage: {_bps(stats.avg_slippage_bps)}",
        f"  Avg P&L per Trade: {average_or_na(stats.avg_pnl)}",
        f"  Trades per Day: {_per_day(stats.trades_per_day, stats.trades, clock.days)}",
        f"  Longest Losing Streak: {stats.longest_losing_streak}",
        f"  Long: {_side(stats.longs)}",
        f"  Short: {_side(stats.shorts)}",
        f"  Signals: {outcomes.get('acted', 0):,} acted, {outcomes.get('blocked', 0):,} blocked, "
        f"{outcomes.get('ignored', 0):,} ignored",
    ]
    positions = report.open_positions
    lines.append(
        "  Open Position: "
        + (
            ", ".join(
                f"{p.quantity:+f} {p.product} @ {price(p.entry_price, report.data.price_decimals)}"
                for p in positions
            )
            if positions
            else "flat"
        )
    )
    return lines


def _gap_lines(report: SessionReport) -> list[str]:
    """The longest gaps, in time order: where the gate clock stood still."""
    gaps = report.clock.gaps
    if not gaps:
        return []
    longest = sorted(
        sorted(gaps, key=lambda g: g.duration_ns, reverse=True)[:MAX_GAPS_SHOWN],
        key=lambda g: g.start_ns,
    )
    lines = [
        f"    gap {utc(g.start_ns)} → {utc(g.end_ns)} UTC ({duration(g.duration_ns)})"
        for g in longest
    ]
    if len(gaps) > len(longest):
        rest = len(gaps) - len(longest)
        rest_ns = sum(g.duration_ns for g in gaps) - sum(g.duration_ns for g in longest)
        lines.append(f"    and {rest} shorter gaps ({duration(rest_ns)} in all)")
    return lines


def curve_lines(report: SessionReport) -> list[str]:
    curve = report.cumulative_pnl()
    if not curve:
        return ["Equity Curve: no round trips yet"]
    trips = report.data.round_trips
    first, last = utc(trips[0].closed_wall_ns)[:10], utc(trips[-1].closed_wall_ns)[:10]
    title = f"Equity Curve (cumulative net P&L over {len(curve):,} round trips):"
    return [title, *equity_curve(curve, first_label=first, last_label=last)]


def render_periods(report: SessionReport, period: Period) -> str:
    rows = period_rows(report, period)
    title = period.value.upper()
    lines = [f"{title} RESULTS (UTC) - Session: {report.name}"]
    if not rows:
        return "\n".join([*lines, "No runs or trades yet"]) + "\n"
    header = ("Period", "Covered", "Trades", "Wins", "Win Rate", "Net P&L", "Fees", "Cumulative")
    table = [header, *(_period_cells(row) for row in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for cells in table:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        lines.append("  ".join([first, *rest]))
    return "\n".join(lines) + "\n"


def _period_cells(row: PeriodRow) -> tuple[str, ...]:
    return (
        row.label,
        f"{row.covered_hours.quantize(Decimal('0.1'))}h",
        str(row.trades),
        str(row.wins),
        percent(row.win_rate),
        usd(row.net_pnl),
        usd(row.fees),
        usd(row.cumulative_pnl),
    )


def _requirement(requirement: Requirement, report: SessionReport) -> str:
    """The label and value of a requirement line, in the guide's words."""
    threshold, actual = requirement.threshold, requirement.actual
    match requirement.kind:
        case RequirementKind.DAYS:
            return f"{plain_number(threshold)} days completed: {days(report.clock.days)} days"
        case RequirementKind.WIN_RATE:
            return f"Win rate >{_win_rate_target(report)}: {percent(actual)}"
        case RequirementKind.PROFIT_FACTOR:
            return f"Profit factor >{_profit_factor_target(report)}: {factor(actual)}"
        case RequirementKind.MIN_TRADES:
            return f"At least {plain_number(threshold)} trades: {report.stats.trades}"
        case RequirementKind.NET_PNL:
            target = "Break-even or better" if threshold == 0 else f"Net P&L ≥{usd(threshold)}"
            shown = usd(actual) if actual is not None else "no trades yet"
            return f"{target}: {shown}"
    raise AssertionError(requirement.kind)


def _missing(requirement: Requirement, report: SessionReport) -> str:
    label, _, value = _requirement(requirement, report).partition(": ")
    return f"{label} ({value})"


def _win_rate_target(report: SessionReport) -> str:
    return f"{plain_number(report.settings.paper.win_rate * 100)}%"


def _profit_factor_target(report: SessionReport) -> str:
    return factor_text(report.settings.paper.profit_factor)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _bps(value: Decimal | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value.quantize(Decimal('0.01'))} bps"


def _per_day(value: Decimal | None, trades: int, covered_days: Decimal) -> str:
    """Per covered day once a day is covered; before that the count, never extrapolated."""
    if value is not None:
        return f"{value.quantize(Decimal('0.01'))}"
    if covered_days >= 1:
        return NOT_AVAILABLE
    covered = duration(int(covered_days * 86_400 * 1_000_000_000))
    return f"n/a ({_count(trades, 'trade')} in {covered} covered: under a day, not extrapolated)"


def price(value: Decimal, decimals: int | None) -> str:
    """A price at the instrument's precision (an average entry is rounded to it)."""
    if decimals is None:
        return f"{value:f}"
    return f"{value.quantize(Decimal(1).scaleb(-decimals)):f}"


def _side(side: SideStats) -> str:
    if not side.trades:
        return "no trades"
    return f"{side.trades:,} trades, {percent(side.win_rate)} won, net {usd(side.net_pnl)}"
