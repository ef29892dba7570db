"""The REPLAY report: what the recording held, what the strategy did, and the fill bands.

Everything printed comes from the recording and the settings — no wall-clock time of the run,
no random id — so the same file and settings print the same bytes every time. Replay results
are labelled as such: they never count toward the paper gate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from console.durations import format_duration
from console.headless import money
from console.replay.overrides import ALIASES, changed_settings
from console.replay.runner import ReplayResult
from console.replay.trade_stats import INFINITY, TradeStats, compute_stats
from console.settings import Settings
from core.events import SignalOutcome

RULE = "=" * 60
LABEL = "REPLAY"
NOT_THE_GATE = "replay results never count toward the paper gate"
_SHORT = {name: alias for alias, name in ALIASES.items()}


def render_replay(result: ReplayResult, *, base: Settings) -> str:
    """The whole report, ending with a newline."""
    stats = compute_stats(result.round_trips)
    lines = [
        RULE,
        f"{LABEL} REPORT ({NOT_THE_GATE})",
        RULE,
        *recording_lines(result),
        f"Settings: {settings_text(result.settings, base)}",
        "",
        *signal_lines(result),
        *trade_lines(stats),
        *position_lines(result),
        "",
        *band_lines(result, stats),
        RULE,
    ]
    return "\n".join(lines) + "\n"


def recording_lines(result: ReplayResult) -> list[str]:
    header, counts = result.header, result.counts
    lines = [
        f"Recording: {result.path.name} ({plural(result.read.parts, 'part')}) | "
        f"{header.venue_name} | {header.instrument.symbol} | {header.environment}",
    ]
    if header.synthetic:
        lines.append("  (a simulated market: results here prove nothing about a real one)")
    if result.frames:
        span = (result.last_wall_ns - result.first_wall_ns) / 1e9
        lines.append(
            f"Market time: {utc(result.first_wall_ns)} -> {utc(result.last_wall_ns)} "
            f"({format_duration(span) if span > 0 else '0s'})"
        )
    lines.append(
        f"Frames: {result.frames:,} | snapshots {counts.snapshots:,} | deltas {counts.deltas:,} "
        f"| heartbeats {counts.heartbeats:,} | dropped {counts.dropped:,} "
        f"| reconnects {counts.reconnects:,}"
    )
    c = result.state.counters
    lines.append(
        f"Book: {c.gaps} gaps | {c.crossed} crossed | {c.resyncs} resyncs | "
        f"{c.decisions_skipped} decisions skipped | ends {result.state.book.state.value}"
    )
    lines += [f"Recording note: {note}" for note in result.read.skipped]
    return lines


def settings_text(settings: Settings, base: Settings) -> str:
    changed = changed_settings(settings, base)
    shown = (
        "entry_imbalance_ratio",
        "reversal_imbalance_ratio",
        "take_profit_pct",
        "stop_loss_pct",
        "max_hold_seconds",
        "cooldown_seconds",
        "spread_filter_bps",
        "imbalance_depth",
        "trade_notional_usd",
        "max_trades_per_day",
    )
    names = list(shown) + [n for n in changed if n not in shown]
    items = []
    for name in names:
        mark = "*" if name in changed else ""
        items.append(f"{_SHORT.get(name, name)}={getattr(settings, name)}{mark}")
    return " ".join(items) + ("  (* = set for this replay)" if changed else "")


def signal_lines(result: ReplayResult) -> list[str]:
    state = result.state
    acted = sum(1 for s in result.signals if s.signal.outcome is SignalOutcome.ACTED)
    line = f"Signals Generated: {state.signals_total} (acted {acted}"
    if state.blocked_total:
        reasons = ", ".join(f"{why}: {n}" for why, n in sorted(state.blocked_by_reason.items()))
        line += f", blocked {state.blocked_total}: {reasons}"
    if state.ignored_total:
        line += f", ignored {state.ignored_total} (spot: no shorting)"
    return [line + ")", f"Trades Executed: {state.trades_executed} ({LABEL})"]


def trade_lines(stats: TradeStats) -> list[str]:
    interval = stats.win_rate_interval
    ci = f" (95% CI {interval.low:.1%} - {interval.high:.1%})" if interval else ""
    return [
        f"Total Trades: {stats.trades}",
        f"Winning Trades: {stats.wins}",
        f"Losing Trades: {stats.losses}",
        f"Win Rate: {percent(stats.win_rate)}{ci}",
        f"Total P&L: {money(stats.total_pnl)} (fees {money(stats.fees_paid)})",
        f"Avg Win: {average(stats.avg_win)}",
        f"Avg Loss: {average(stats.avg_loss)}",
        f"Profit Factor: {factor(stats.profit_factor)}",
        f"Max Drawdown: {money(stats.max_drawdown)}",
    ]


def position_lines(result: ReplayResult) -> list[str]:
    position = result.state.position
    if result.flatten is not None:
        return [f"Position at the end: flattened ({result.flatten.detail})"]
    if position.quantity == 0:
        return ["Position at the end: flat"]
    side = "LONG" if position.quantity > 0 else "SHORT"
    return [
        f"Position at the end: {side} {abs(position.quantity)} @ {position.entry_price} still open "
        f"(book {result.state.book.state.value}: not closed, not counted)"
    ]


def band_lines(result: ReplayResult, stats: TradeStats) -> list[str]:
    lines = ["Fill bands (the same decisions, filled worse / better):"]
    rows = [(b.model.name, b.model.describe(), b.net_pnl, len(b.round_trips)) for b in result.bands]
    rows.insert(1 if rows else 0, ("default", "paper fills", stats.total_pnl, stats.trades))
    width = max(len(f"{name} ({how})") for name, how, _, _ in rows)
    for name, how, pnl, trades in rows:
        label = f"{name} ({how})"
        lines.append(
            f"  {label:<{width}}  Net P&L {money(pnl):>12}  over {plural(trades, 'trade')}"
        )
    for band in result.bands:
        if band.short_orders:
            lines.append(
                f"  {band.model.name}: {plural(band.short_orders, 'order')} could not fill "
                "completely against the later book"
            )
        if band.open_quantity:
            lines.append(f"  {band.model.name}: {band.open_quantity} left open, not counted")
    return lines


def utc(wall_ns: int) -> str:
    moment = dt.datetime.fromtimestamp(wall_ns / 1e9, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def percent(value: Decimal | None) -> str:
    return "N/A" if value is None else f"{value:.1%}"


def average(value: Decimal | None) -> str:
    return "N/A" if value is None else money(value)


def factor(value: Decimal | None) -> str:
    if value is None:
        return "N/A"
    return "inf (no losing trade)" if value == INFINITY else f"{value:.2f}"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
