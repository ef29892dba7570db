"""The REPLAY report: the paper session's report, computed the same way, labelled REPLAY.

The figures come from the paper report's own model (``console.report.build_report``: the same
statistics, intervals, details and equity curve); the replay adds what the recording held, the
settings it ran with and the fill bands. The gate block is left out on purpose: replay results
never count toward the paper gate, so no requirement is ticked and nothing is called ready.

Everything printed comes from the recording and the settings — no wall-clock time of the run,
no random id — so the same file and settings print the same bytes every time.
"""

from __future__ import annotations

from collections import Counter

from console.replay.overrides import ALIASES, changed_settings
from console.replay.result import ReplayResult
from console.report import SessionReport, build_report
from console.report.bands import band_lines
from console.report.formatting import average_or_na, days, factor, feed_faults_text, percent, usd
from console.report.formatting import utc as utc_minutes
from console.report.text import curve_lines, detail_lines, price
from console.settings import Settings
from core.enums import Mode
from core.store import ReportData, RunEnd, RunRecord, SessionInfo

RULE = "=" * 60
LABEL = "REPLAY"
NOT_THE_GATE = "replay results never count toward the paper gate"
_SHORT = {name: alias for alias, name in ALIASES.items()}


def render_replay(result: ReplayResult, *, base: Settings) -> str:
    """The whole report, ending with a newline."""
    report = build_report(report_data(result), result.settings.gate_settings)
    lines = [
        RULE,
        *guide_block(report, result),
        "",
        *confidence_lines(report),
        "",
        *detail_lines(report),
        "",
        *curve_lines(report),
        "",
        *replay_lines(result, base),
        "",
        *band_lines(result.default_band, result.bands),
        RULE,
    ]
    return "\n".join(lines) + "\n"


def report_data(result: ReplayResult) -> ReportData:
    """The replay as the store would have recorded it: one run over the recording's time."""
    header, state = result.header, result.state
    symbol = header.instrument.symbol
    position = state.position
    outcomes = Counter(at.signal.outcome.value for at in result.signals)
    return ReportData(
        session=SessionInfo(
            id=0,
            name=f"{LABEL} {result.path.name}",
            venue=header.venue_name,
            symbol=symbol,
            mode=Mode.PAPER,
            parameters={},
            created_ns=result.first_wall_ns,
        ),
        runs=(
            RunRecord(
                id=0,
                session_id=0,
                started_ns=result.first_wall_ns,
                ended_ns=result.last_wall_ns,
                last_alive_ns=result.last_wall_ns,
                how_ended=RunEnd.COMPLETED,
                host="replay",
                pid=0,
            ),
        ),
        round_trips=result.round_trips,
        slippages_bps=tuple(fill.slippage_bps for fill in result.fills),
        signal_outcomes=dict(sorted(outcomes.items())),
        positions={symbol: position},
        realized_pnl=state.realized_pnl,
        fees_paid=state.fees_paid,
        price_decimals=header.instrument.price_decimals,
    )


def guide_block(report: SessionReport, result: ReplayResult) -> list[str]:
    """The guide's report block in its words and formats, minus the gate (see module doc)."""
    stats = report.stats
    span = (
        f" ({utc_minutes(result.first_wall_ns)} → {utc_minutes(result.last_wall_ns)} UTC)"
        if result.frames
        else ""
    )
    return [
        f"FINAL {LABEL} TRADING REPORT - Recording: {result.path.name}",
        f"({NOT_THE_GATE})",
        f"Market Time Replayed: {days(report.clock.days)} days{span}",
        f"Total Trades: {stats.trades}",
        f"Winning Trades: {stats.wins}",
        f"Losing Trades: {stats.losses}",
        f"Win Rate: {percent(stats.win_rate)}",
        f"Total P&L: {usd(stats.total_pnl)}",
        f"Avg Win: {average_or_na(stats.avg_win)}",
        f"Avg Loss: {average_or_na(stats.avg_loss)}",
        f"Profit Factor: {factor(stats.profit_factor)}",
        f"Max Drawdown: {usd(stats.max_drawdown)}",
    ]


def confidence_lines(report: SessionReport) -> list[str]:
    lines = ["Confidence (95%):"]
    if report.stats.trades == 0:
        return [*lines, "  No round trips: nothing to estimate"]
    lines.append(
        f"  Trades: {report.stats.trades} (the paper gate asks for at least "
        f"{report.settings.paper.min_trades} before it believes a result)"
    )
    return lines + [f"  {note.sentence}" for note in report.gate.confidence]


def replay_lines(result: ReplayResult, base: Settings) -> list[str]:
    header, counts, state = result.header, result.counts, result.state
    lines = [
        "Replay:",
        f"  Recording: {result.path.name} ({plural(result.read.parts, 'part')}) | "
        f"{header.venue_name} | {header.instrument.symbol} | {header.environment}",
    ]
    if header.synthetic:
        lines.append("  (a simulated market: results here prove nothing about a real one)")
    lines.append(
        f"  Frames: {result.frames:,} | snapshots {counts.snapshots:,} | deltas "
        f"{counts.deltas:,} | heartbeats {counts.heartbeats:,} | dropped {counts.dropped:,} "
        f"| reconnects {counts.reconnects:,}"
    )
    c = state.counters
    lines.append(
        f"  Book: {c.gaps} gaps | {c.crossed} crossed | {c.resyncs} resyncs{feed_faults_text(c)} | "
        f"ends {state.book.state.value}"
    )
    lines += [f"  Recording note: {note}" for note in result.read.skipped]
    lines.append(f"  Settings: {settings_text(result.settings, base)}")
    lines += signal_lines(result)
    lines += position_lines(result)
    lines.append("  Latency: not measured in a replay (the clock only moves with the recording)")
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
    line = f"  Signals Generated: {state.signals_total}"
    if state.blocked_total:
        reasons = ", ".join(f"{why}: {n}" for why, n in sorted(state.blocked_by_reason.items()))
        line += f" | blocked {state.blocked_total} ({reasons})"
    return [line, f"  Trades Executed: {state.trades_executed} ({LABEL})"]


def position_lines(result: ReplayResult) -> list[str]:
    position = result.state.position
    if result.flatten is not None:
        return [f"  Position at the end: flattened ({result.flatten.detail})"]
    if position.quantity == 0:
        return ["  Position at the end: flat"]
    side = "LONG" if position.quantity > 0 else "SHORT"
    return [
        f"  Position at the end: {side} {abs(position.quantity)} @ "
        f"{price(position.entry_price, result.header.instrument.price_decimals)} "
        f"still open (book {result.state.book.state.value}): not closed, not counted"
    ]


def utc(wall_ns: int) -> str:
    return utc_minutes(wall_ns, seconds=True) + " UTC"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
