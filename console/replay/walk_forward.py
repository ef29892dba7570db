"""Walk-forward evaluation of a sweep: choose on the past, judge on what came next, and roll.

The market time is cut into rolling windows: ``in`` of in-sample followed by ``out`` of
out-of-sample, the next window starting ``out`` later (so out-of-sample stretches follow each
other without overlap). In each window the combination with the highest in-sample net P&L (the
one a trader would have picked then) is judged on the out-of-sample stretch that follows; their
out-of-sample trades together are what choosing by the past would have earned. One split can be
lucky; a choice that keeps working window after window is worth a paper session.

Trades come from the sweep's whole-recording replays (each combination's engine state runs on
across windows, as it would live) and count in the window where they were *opened*.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from console.replay.report import RULE, utc
from console.replay.sweep import Combination, ComboTrades, Segment, SweepResult, segment
from console.report.formatting import duration, factor, percent, usd
from console.settings import SettingsError
from core.events import RoundTrip
from core.stats import TradeStats, compute_stats

NS = 1_000_000_000
_END = 2**63  # after any wall-clock time: the last window keeps trades opened at its very end


@dataclass(frozen=True, slots=True)
class Window:
    in_start_ns: int
    out_start_ns: int
    out_end_ns: int
    best: Combination | None  # None: no combination traded in-sample
    in_sample: Segment | None  # of ``best``
    out_of_sample: Segment | None
    out_rank: int  # of ``best`` among all combinations out of sample (1 = best); 0 without one


@dataclass(frozen=True, slots=True)
class WalkForward:
    in_s: float
    out_s: float
    windows: tuple[Window, ...]
    out_of_sample: TradeStats  # every window's chosen combination, out of sample, together
    combinations: int


def walk_forward(result: SweepResult, in_s: float, out_s: float) -> WalkForward:
    """Rolling windows over ``result``'s market time; a one-line ``SettingsError`` when the
    recording is too short for one window."""
    if in_s <= 0 or out_s <= 0:
        raise SettingsError("walk-forward windows must be longer than 0 s")
    first, last = result.first_wall_ns, result.last_wall_ns
    in_ns, out_ns = round(in_s * NS), round(out_s * NS)
    if first + in_ns >= last:
        raise SettingsError(
            f"walk-forward: the recording spans {duration(last - first)}, no longer than one "
            f"in-sample window ({duration(in_ns)}): nothing would be left out of sample"
        )
    windows: list[Window] = []
    chosen: list[RoundTrip] = []
    start = first
    while start + in_ns < last:
        out_start = start + in_ns
        out_end = min(out_start + out_ns, last)
        window, trips = _window(result.trades, start, out_start, out_end, out_end == last)
        windows.append(window)
        chosen += trips
        start += out_ns
    return WalkForward(in_s, out_s, tuple(windows), compute_stats(chosen), len(result.trades))


def _window(
    trades: tuple[ComboTrades, ...], start: int, out_start: int, out_end: int, last: bool
) -> tuple[Window, list[RoundTrip]]:
    keep_to = _END if last else out_end
    ins = [segment(t, start, out_start, (out_start - start) / 3.6e12) for t in trades]
    outs = [segment(t, out_start, keep_to, (out_end - out_start) / 3.6e12) for t in trades]
    traded = [i for i, s in enumerate(ins) if s.stats.trades]
    if not traded:
        return Window(start, out_start, out_end, None, None, None, 0), []
    best = max(traded, key=lambda i: ins[i].stats.total_pnl)  # max keeps the first tie
    out_pnl = outs[best].stats.total_pnl
    rank = 1 + sum(1 for s in outs if s.stats.total_pnl > out_pnl)
    trips = [rt for rt in trades[best].round_trips if out_start <= rt.opened_wall_ns < keep_to]
    window = Window(
        start, out_start, out_end, trades[best].combination, ins[best], outs[best], rank
    )
    return window, trips


def render_walk_forward(wf: WalkForward) -> str:
    lines = [
        f"WALK-FORWARD: in-sample {duration(round(wf.in_s * NS))}, out-of-sample "
        f"{duration(round(wf.out_s * NS))}, rolling by the out-of-sample length "
        f"({len(wf.windows)} windows)",
        RULE,
        "Each window trades its in-sample best (highest in-sample net P&L) out of sample.",
        "",
    ]
    cells = [("Out of sample from", "In-sample best", "IS trades", "IS P&L", "OOS trades")]
    cells[0] += ("OOS P&L", "OOS rank")
    for w in wf.windows:
        if w.best is None or w.in_sample is None or w.out_of_sample is None:
            cells.append((utc(w.out_start_ns), "(nothing traded)", "0", "-", "-", "-", "-"))
            continue
        cells.append(
            (
                utc(w.out_start_ns),
                " ".join(f"{k}={v}" for k, v in w.best),
                f"{w.in_sample.stats.trades}",
                usd(w.in_sample.stats.total_pnl),
                f"{w.out_of_sample.stats.trades}",
                usd(w.out_of_sample.stats.total_pnl),
                f"{w.out_rank} of {wf.combinations}",
            )
        )
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    for n, cell in enumerate(cells):
        head = [cell[0].ljust(widths[0]), cell[1].ljust(widths[1])]
        rest = [c.rjust(w) for c, w in zip(cell[2:], widths[2:], strict=True)]
        lines.append("  ".join([*head, *rest]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", *walk_forward_verdict(wf), RULE]
    return "\n".join(lines) + "\n"


def walk_forward_verdict(wf: WalkForward) -> list[str]:
    stats = wf.out_of_sample
    judged = [w for w in wf.windows if w.out_of_sample is not None]
    kept = [w for w in judged if w.out_of_sample and w.out_of_sample.stats.total_pnl > 0]
    lines = [
        f"Out of sample, choosing by the past: {usd(stats.total_pnl)} over {stats.trades} trades "
        f"(win rate {percent(stats.win_rate)}, profit factor {factor(stats.profit_factor)})"
    ]
    if not judged:
        lines.append("No window had an in-sample trade: nothing to choose from.")
    elif stats.total_pnl <= Decimal(0):
        overall = "lost overall" if stats.total_pnl < 0 else "made nothing overall"
        lines.append(
            f"The in-sample best made money out of sample in {len(kept)} of {len(judged)} "
            f"windows and {overall}: choosing by the past does not carry forward here."
        )
    else:
        lines.append(
            f"The in-sample best made money out of sample in {len(kept)} of {len(judged)} "
            "windows: check the trade count before trusting it."
        )
    return lines
