"""The guide's "Integration Testing Checklist", judged from one session's record."""

from __future__ import annotations

from collections.abc import Iterable

from core.checklists.evidence import LatencyTotals, RunEvidence, SessionEvidence
from core.checklists.verdicts import Checklist, ChecklistLine, Verdict
from core.enums import Mode, SignalAction
from core.latency import DECISION_TO_ORDER, ORDER_TO_ACK, TICK_TO_DECISION

HOUR_S = 3_600.0
MAX_AVERAGE_LATENCY_MS = 50.0
# The risk manager's refusals for a limit (core.risk); the other blocks (kill switch, paused, a
# book not LIVE, below the venue's minimum) are not a limit being exceeded.
LIMIT_BLOCKS = ("daily loss limit", "trades per day limit", "position limit")
FILLED_STATUSES = ("FILLED", "PARTIALLY_FILLED")

WEBSOCKET = "WebSocket connects; the order book updates in real time"
SIGNALS = "Signals generate (buy / sell / close seen)"
RISK = "The risk manager blocked a trade when a limit was exceeded"
BROKER = "The broker API executed orders"
LATENCY = "Average latency < 50 ms, sustained over at least an hour"
UPTIME = "The system ran 1+ hour without crashing"
KILL_SWITCH = "The kill switch works"


def integration_checklist(evidence: SessionEvidence) -> Checklist:
    return Checklist(
        title="Integration Testing Checklist",
        subject=f"session {evidence.name} on {evidence.where}",
        lines=(
            _websocket(evidence),
            _signals(evidence),
            _risk(evidence),
            _broker(evidence),
            _latency(evidence),
            _uptime(evidence),
            _kill_switch(evidence),
        ),
    )


def is_limit_block(reason: str) -> bool:
    return reason.startswith(LIMIT_BLOCKS)


def _websocket(evidence: SessionEvidence) -> ChecklistLine:
    if not evidence.runs:
        return ChecklistLine(WEBSOCKET, Verdict.NOT_YET, "no run recorded yet")
    recorded = [run for run in evidence.runs if TICK_TO_DECISION in run.latency]
    if not recorded:
        return ChecklistLine(
            WEBSOCKET,
            Verdict.NOT_YET,
            "no book updates recorded yet (counted every minute and at each run's end)",
        )
    updates = _total(recorded, TICK_TO_DECISION).count
    seconds = sum(run.seconds for run in recorded)
    if updates == 0:
        return ChecklistLine(
            WEBSOCKET, Verdict.FAILED, f"the book never went LIVE in {_runs(len(recorded))}"
        )
    rate = updates / seconds if seconds else 0.0
    return ChecklistLine(
        WEBSOCKET,
        Verdict.PASSED,
        f"{updates:,} LIVE book updates decided on in {_duration(seconds)} "
        f"({rate:,.1f}/s, {_runs(len(recorded))})",
    )


def _signals(evidence: SessionEvidence) -> ChecklistLine:
    counts = {action: evidence.signals.get(action, 0) for action in SignalAction}
    shown = ", ".join(f"{action.value} {count:,}" for action, count in counts.items())
    entries = counts[SignalAction.BUY] + counts[SignalAction.SELL]
    if entries and counts[SignalAction.CLOSE]:
        return ChecklistLine(SIGNALS, Verdict.PASSED, shown)
    missing = "no entry" if not entries else "no close"
    return ChecklistLine(SIGNALS, Verdict.NOT_YET, f"{shown}: {missing} yet")


def _risk(evidence: SessionEvidence) -> ChecklistLine:
    limits = {r: n for r, n in evidence.blocked.items() if is_limit_block(r)}
    if limits:
        shown = ", ".join(f"{reason} ×{count:,}" for reason, count in sorted(limits.items()))
        return ChecklistLine(RISK, Verdict.PASSED, f"entries blocked: {shown}")
    others = sum(evidence.blocked.values())
    why = "no entry blocked by a limit yet"
    if others:
        why += f" ({others:,} blocked for other reasons)"
    return ChecklistLine(
        RISK, Verdict.NOT_YET, why, (f"prove it in a minute: {_tiny_limit_run(evidence)}",)
    )


def _tiny_limit_run(evidence: SessionEvidence) -> str:
    """A one-minute run of this session in which every entry breaks the position limit."""
    if evidence.mode is Mode.PAPER:
        run = (
            f"l2console paper --broker {evidence.venue} --session {evidence.name} "
            "--duration 1 --no-ui"
        )
    else:
        flag = "--live" if evidence.mode is Mode.LIVE else "--dry-run"
        run = (
            f"l2console run {flag} --broker {evidence.venue} --session {evidence.name} "
            "--duration 1m --no-ui"
        )
        if evidence.mode is Mode.LIVE and evidence.venue != "sim":
            # No real venue has a demo now: a live run there is real money and passes the door
            # (a $1 position limit lets no entry through, but the door does not know that).
            run += " --i-understand-this-is-real-money --validated-by PAPER_SESSION --capital USD"
    return f"MAX_POSITION_USD=1 {run}"


def _broker(evidence: SessionEvidence) -> ChecklistLine:
    if evidence.mode is not Mode.LIVE:
        return ChecklistLine(
            BROKER,
            Verdict.NOT_YET,
            f"a {evidence.mode.value} session's orders never reach the venue; the broker API "
            "is proven by a live session (--live; Kraken has no demo any more, so "
            "--broker sim --live rehearses it through the same adapter)",
        )
    filled = sum(evidence.orders.get(status, 0) for status in FILLED_STATUSES)
    sent = sum(evidence.orders.values())
    rehearsal = (
        " (a rehearsal: the simulated venue speaks Kraken's protocol on this machine)"
        if evidence.venue == "sim"
        else ""
    )
    if filled and evidence.fills:
        return ChecklistLine(
            BROKER,
            Verdict.PASSED,
            f"{filled:,} of {sent:,} orders filled by {evidence.venue_words}, "
            f"{evidence.fills:,} fills{rehearsal}",
        )
    if sent:
        statuses = ", ".join(f"{s} {n:,}" for s, n in sorted(evidence.orders.items()))
        return ChecklistLine(
            BROKER, Verdict.FAILED, f"{sent:,} orders sent, none filled ({statuses}){rehearsal}"
        )
    return ChecklistLine(BROKER, Verdict.NOT_YET, f"no live order sent yet{rehearsal}")


def _latency(evidence: SessionEvidence) -> ChecklistLine:
    """The system's own latency (tick→decision, decision→order) is judged; the venue's answer
    time (order→ack) is the network's and is shown beside it."""
    hour_runs = [run for run in evidence.runs if run.seconds >= HOUR_S and run.latency]
    if not hour_runs:
        longest = max((run.seconds for run in evidence.runs), default=0.0)
        return ChecklistLine(
            LATENCY,
            Verdict.NOT_YET,
            f"no run of 1 h or more with latency recorded (longest run: {_duration(longest)})",
        )
    judged = []
    slow = []
    for name in (TICK_TO_DECISION, DECISION_TO_ORDER):
        mean = _total(hour_runs, name).mean_ns
        if mean is None:
            continue
        judged.append(f"{_label(name)} {_ms(mean)}")
        if mean / 1e6 >= MAX_AVERAGE_LATENCY_MS:
            slow.append(_label(name))
    if not judged:
        return ChecklistLine(LATENCY, Verdict.NOT_YET, "no latency sample in the 1 h runs")
    why = f"mean {', '.join(judged)} over {_runs(len(hour_runs))} of 1 h or more"
    ack = _total(hour_runs, ORDER_TO_ACK).mean_ns
    notes = (f"the venue answered orders in {_ms(ack)} on average (network)",) if ack else ()
    if slow:
        return ChecklistLine(LATENCY, Verdict.FAILED, f"{why}: {', '.join(slow)} ≥ 50 ms", notes)
    return ChecklistLine(LATENCY, Verdict.PASSED, why, notes)


def _uptime(evidence: SessionEvidence) -> ChecklistLine:
    crashed = [run for run in evidence.runs if run.how_ended == "crashed"]
    good = [run for run in evidence.runs if run.ended_normally and run.seconds >= HOUR_S]
    notes = (f"{_runs(len(crashed))} crashed",) if crashed else ()
    if good:
        best = max(good, key=lambda run: run.seconds)
        return ChecklistLine(
            UPTIME,
            Verdict.PASSED,
            f"a run of {_duration(best.seconds)} ended normally ({best.how_ended})",
            notes,
        )
    ended = [run.seconds for run in evidence.runs if run.ended_normally]
    longest = f"longest run that ended normally: {_duration(max(ended, default=0.0))}"
    if crashed:
        return ChecklistLine(UPTIME, Verdict.FAILED, f"{_runs(len(crashed))} crashed; {longest}")
    return ChecklistLine(UPTIME, Verdict.NOT_YET, longest)


def _kill_switch(evidence: SessionEvidence) -> ChecklistLine:
    """Judged from the pulls of the trader (``KillSwitchTest.deliberate``): a stop's routine
    flatten runs the same code but proves nothing when there was nothing to close."""
    events = sorted(
        (event for event in evidence.kill_switch if event.deliberate),
        key=lambda event: event.wall_ns,
    )
    if not events:
        routine = len(evidence.kill_switch)
        why = "no kill switch pulled yet" + (
            f" ({routine:,} routine flattens at stops not counted)" if routine else ""
        )
        return ChecklistLine(
            KILL_SWITCH,
            Verdict.NOT_YET,
            why,
            (f"while it runs: l2console flatten --session {evidence.name}",),
        )
    last = events[-1]
    if not last.confirmed_flat:
        return ChecklistLine(
            KILL_SWITCH,
            Verdict.FAILED,
            f"the last kill switch ({last.reason}) failed: {last.detail}",
        )
    return ChecklistLine(
        KILL_SWITCH,
        Verdict.PASSED,
        f"{len(events):,} pulled, the last confirmed flat ({last.reason}: {last.detail})",
    )


def _total(runs: Iterable[RunEvidence], name: str) -> LatencyTotals:
    total = LatencyTotals(0, 0)
    for run in runs:
        total += run.latency.get(name, LatencyTotals(0, 0))
    return total


def _label(name: str) -> str:
    return name.replace("_to_", "→")


def _ms(ns: float) -> str:
    return f"{ns / 1e6:,.3f} ms" if ns < 1e7 else f"{ns / 1e6:,.1f} ms"


def _runs(count: int) -> str:
    return f"{count:,} run" if count == 1 else f"{count:,} runs"


def _duration(seconds: float) -> str:
    if seconds >= HOUR_S:
        return f"{seconds / HOUR_S:,.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
