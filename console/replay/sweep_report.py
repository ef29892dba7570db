"""The sweep's table and its overfitting verdict, as plain text (deterministic)."""

from __future__ import annotations

from decimal import Decimal

from console.replay.report import NOT_THE_GATE, RULE, utc
from console.replay.sweep import MIN_TRADES, OVERFIT_SHARE, Segment, SweepResult, SweepRow
from console.report.formatting import duration, factor, percent, usd

_COLUMNS = ("Trades", "Win rate (95% CI)", "PF", "Net P&L", "Max DD", "Pessimistic")


def render_sweep(result: SweepResult) -> str:
    lines = [
        RULE,
        f"REPLAY SWEEP ({NOT_THE_GATE})",
        RULE,
        f"Recording: {result.path.name} | {result.frames:,} frames | "
        f"{len(result.rows)} combinations",
    ]
    if result.synthetic:
        lines.append("  (a simulated market: results here prove nothing about a real one)")
    if result.rows:
        first = result.rows[0]
        lines.append(
            f"Split at {utc(result.split_wall_ns)}: in-sample {span(first.in_sample)} "
            f"(first {result.split:.0%}), out-of-sample {span(first.out_of_sample)}; "
            "trades count where they were opened"
        )
    best = in_sample_best(result.rows)
    for title, pick in (
        ("IN-SAMPLE", lambda r: r.in_sample),
        ("OUT-OF-SAMPLE", lambda r: r.out_of_sample),
    ):
        lines += ["", title, *table([(r, pick(r)) for r in result.rows], best)]
    lines += ["", *verdict(result.rows, best), RULE]
    return "\n".join(lines) + "\n"


def table(rows: list[tuple[SweepRow, Segment]], best: SweepRow | None) -> list[str]:
    cells = [("Combination", *_COLUMNS)]
    for row, segment in rows:
        stats = segment.stats
        interval = stats.win_rate_interval
        win = "N/A"
        if stats.win_rate is not None and interval is not None:
            win = f"{percent(stats.win_rate)} ({interval.low:.0%}-{interval.high:.0%})"
        mark = "*" if row is best else " "
        cells.append(
            (
                f"{mark}{combination_text(row)}",
                f"{stats.trades}",
                win,
                factor(stats.profit_factor),
                usd(stats.total_pnl),
                usd(stats.max_drawdown),
                "N/A" if segment.pessimistic_pnl is None else usd(segment.pessimistic_pnl),
            )
        )
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    out = []
    for n, cell in enumerate(cells):
        first = cell[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cell[1:], widths[1:], strict=True)]
        out.append("  ".join([first, *rest]).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def combination_text(row: SweepRow) -> str:
    return " ".join(f"{key}={value}" for key, value in row.combination)


def in_sample_best(rows: tuple[SweepRow, ...]) -> SweepRow | None:
    """The combination with the highest in-sample net P&L (first in grid order on a tie)."""
    traded = [r for r in rows if r.in_sample.stats.trades]
    if not traded:
        return None
    return max(traded, key=lambda r: r.in_sample.stats.total_pnl)  # max keeps the first tie


def verdict(rows: tuple[SweepRow, ...], best: SweepRow | None) -> list[str]:
    if best is None:
        return ["No combination traded in-sample: nothing to choose from."]
    lines = [f"In-sample best (*): {combination_text(best)}"]
    ins, outs = best.in_sample, best.out_of_sample
    in_pnl, out_pnl = ins.stats.total_pnl, outs.stats.total_pnl
    out_rank = 1 + sum(1 for r in rows if r.out_of_sample.stats.total_pnl > out_pnl)
    lines.append(
        f"  in-sample {usd(in_pnl)} over {ins.stats.trades} trades; out-of-sample "
        f"{usd(out_pnl)} over {outs.stats.trades} trades (rank {out_rank} of {len(rows)})"
    )
    if in_pnl <= 0:
        lines.append("No combination made money in-sample: there is no edge here to tune.")
        return lines
    in_rate = hourly(in_pnl, ins.hours)
    out_rate = hourly(out_pnl, outs.hours)
    if out_rate < in_rate * Decimal(str(OVERFIT_SHARE)):
        share = "nothing" if out_rate <= 0 else f"{out_rate / in_rate:.0%}"
        lines.append(
            f"OVERFITTING WARNING: out of sample the in-sample best earned {share} of its "
            f"in-sample rate ({usd(out_rate)}/h vs {usd(in_rate)}/h). Its in-sample result "
            "is mostly luck of this stretch of data: do not trust it; tune on more data."
        )
    elif outs.stats.trades < MIN_TRADES:
        lines.append(
            f"Too few out-of-sample trades ({outs.stats.trades} < {MIN_TRADES}) to tell "
            "whether the in-sample best holds up: record more data."
        )
    else:
        lines.append("Out of sample it kept at least half its in-sample earning rate.")
    return lines


def span(segment: Segment) -> str:
    return duration(round(segment.hours * 3.6e12))


def hourly(pnl: Decimal, hours: float) -> Decimal:
    return pnl / Decimal(str(hours)) if hours > 0 else Decimal(0)
