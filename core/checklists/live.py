"""The guide's "Live Trading Preparation", judged before real money.

Evidence in (a paper session's gate, the settings, the other sessions' record), a verdict per
line out. Gate 6→7 is not here: it keeps being tracked on the live session itself (its report).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.checklists.evidence import KillSwitchTest, SessionEvidence
from core.checklists.verdicts import Checklist, ChecklistLine, Verdict
from core.enums import Mode
from core.gates import Gate, GateReport, Requirement, RequirementKind, factor_text, plain_number

NS_PER_DAY = 86_400 * 1_000_000_000
KILL_SWITCH_TEST_DAYS = 30  # the guide: "test kill switch monthly"
CAPITAL_BAND_USD = (Decimal(100), Decimal(500))

GATE = "Gate 5→6 passed"
DRAWDOWN = "Max drawdown within the limit you set"
INTEGRATION = "Integration checklist complete"
KILL_SWITCH = "Kill switch tested within the last 30 days"
KEYS = "API keys only in .env, with safe permissions"
RISK = "Risk limits at the guide's micro-capital values or below"
AUDIT = "Audit trail on (a named session)"
CAPITAL = "Capital within the guide's $100–500"


@dataclass(frozen=True, slots=True)
class RiskSettings:
    max_daily_loss_usd: Decimal
    max_position_usd: Decimal
    max_trades_per_day: int


GUIDE_RISK = RiskSettings(Decimal(50), Decimal(100), 10)


@dataclass(frozen=True, slots=True)
class KeyCustody:
    """Where the real-money keys come from: ``in_file`` are set in the env file, ``elsewhere``
    come from the process environment. ``file_mode`` is the env file's permission bits."""

    env_file: str
    file_mode: int | None  # None: no such file
    in_file: tuple[str, ...]
    elsewhere: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LiveEvidence:
    paper: SessionEvidence
    gate: GateReport  # the paper session's, as its report computes it
    max_drawdown_usd: Decimal | None  # None: no round trip yet
    max_acceptable_drawdown_usd: Decimal | None  # the trader's MAX_ACCEPTABLE_DRAWDOWN_USD
    integration: Checklist | None  # the most complete integration checklist among the sessions
    kill_switch_tests: tuple[KillSwitchTest, ...]  # every session's
    keys: KeyCustody
    risk: RiskSettings
    capital_usd: Decimal | None  # --capital
    now_ns: int


def live_checklist(evidence: LiveEvidence) -> Checklist:
    return Checklist(
        title="Live Trading Preparation",
        subject=f"{_kind(evidence.paper)} {evidence.paper.name} on {evidence.paper.where}",
        lines=(
            _gate(evidence),
            _drawdown(evidence),
            _integration(evidence),
            _kill_switch(evidence),
            _keys(evidence.keys),
            _risk(evidence.risk),
            _audit(evidence.paper),
            _capital(evidence.capital_usd),
        ),
    )


def _kind(session: SessionEvidence) -> str:
    return "paper session" if session.mode is Mode.PAPER else "session"


def _gate(evidence: LiveEvidence) -> ChecklistLine:
    gate, paper = evidence.gate, evidence.paper
    if paper.mode is not Mode.PAPER or gate.gate is not Gate.PAPER_TO_LIVE:
        return ChecklistLine(
            GATE,
            Verdict.FAILED,
            f"session {paper.name} is {paper.mode.value}: gate 5→6 judges a paper session",
        )
    why = ", ".join(_requirement(r) for r in gate.requirements)
    notes = tuple(note.sentence for note in gate.confidence)
    if gate.ready:
        return ChecklistLine(GATE, Verdict.PASSED, why, notes)
    # Too few days or trades is a matter of time; a losing record is a verdict.
    pending = {RequirementKind.DAYS, RequirementKind.MIN_TRADES}
    verdict = Verdict.NOT_YET if {r.kind for r in gate.missing} <= pending else Verdict.FAILED
    return ChecklistLine(GATE, verdict, why, notes)


def _requirement(requirement: Requirement) -> str:
    mark = "✓" if requirement.met else "✗"
    actual, threshold = requirement.actual, requirement.threshold
    match requirement.kind:
        case RequirementKind.DAYS:
            shown = "none" if actual is None else f"{actual:.1f}"
            return f"{shown} of {plain_number(threshold)} days {mark}"
        case RequirementKind.WIN_RATE:
            shown = "n/a" if actual is None else f"{actual * 100:.1f}%"
            return f"win rate {shown} (> {plain_number(threshold * 100)}%) {mark}"
        case RequirementKind.PROFIT_FACTOR:
            shown = "n/a" if actual is None else _factor(actual)
            return f"profit factor {shown} (> {factor_text(threshold)}) {mark}"
        case RequirementKind.MIN_TRADES:
            shown = "0" if actual is None else plain_number(actual)
            return f"{shown} trades (≥ {plain_number(threshold)}) {mark}"
        case RequirementKind.NET_PNL:
            return f"net P&L {actual} (≥ {threshold}) {mark}"
    raise AssertionError(requirement.kind)


def _factor(value: Decimal) -> str:
    return "∞" if value.is_infinite() else factor_text(value.quantize(Decimal("0.01")))


def _drawdown(evidence: LiveEvidence) -> ChecklistLine:
    drawdown, limit = evidence.max_drawdown_usd, evidence.max_acceptable_drawdown_usd
    shown = "no round trip yet" if drawdown is None else f"max drawdown {_usd(drawdown)}"
    if limit is None:
        return ChecklistLine(
            DRAWDOWN,
            Verdict.NOT_YET,
            f"{shown}; no limit stated",
            ("state the most you accept losing from a peak: MAX_ACCEPTABLE_DRAWDOWN_USD in .env",),
        )
    if drawdown is None:
        return ChecklistLine(DRAWDOWN, Verdict.NOT_YET, f"{shown} (your limit {_usd(limit)})")
    verdict = Verdict.PASSED if drawdown <= limit else Verdict.FAILED
    relation = "within" if drawdown <= limit else "beyond"
    return ChecklistLine(DRAWDOWN, verdict, f"{shown}, {relation} your limit of {_usd(limit)}")


def _integration(evidence: LiveEvidence) -> ChecklistLine:
    checklist = evidence.integration
    if checklist is None:
        return ChecklistLine(
            INTEGRATION,
            Verdict.NOT_YET,
            "no session to judge yet",
            (
                "run a live session (--broker sim --live rehearses), then: "
                "l2console checklist integration --session NAME",
            ),
        )
    if checklist.complete:
        return ChecklistLine(
            INTEGRATION, Verdict.PASSED, f"all {len(checklist.lines)} lines, {checklist.subject}"
        )
    done = len(checklist.lines) - len(checklist.open_lines)
    still = "; ".join(line.title for line in checklist.open_lines)
    return ChecklistLine(
        INTEGRATION,
        Verdict.NOT_YET,
        f"closest: {checklist.subject}, {done} of {len(checklist.lines)} lines (open: {still})",
    )


def _kill_switch(evidence: LiveEvidence) -> ChecklistLine:
    last = last_kill_switch_test(evidence.kill_switch_tests)
    if last is None:
        return ChecklistLine(
            KILL_SWITCH,
            Verdict.NOT_YET,
            "no kill switch pulled and confirmed flat in any session (a stop's flatten is no test)",
            ("while a session runs: l2console flatten --session NAME",),
        )
    age = days_since(last, evidence.now_ns)
    where = f"session {last.session}, {last.mode.value} on {last.venue}"
    if age <= KILL_SWITCH_TEST_DAYS:
        return ChecklistLine(
            KILL_SWITCH, Verdict.PASSED, f"confirmed flat {age} days ago ({where})"
        )
    return ChecklistLine(
        KILL_SWITCH,
        Verdict.FAILED,
        f"last confirmed flat {age} days ago ({where}): test it monthly",
    )


def last_kill_switch_test(tests: tuple[KillSwitchTest, ...]) -> KillSwitchTest | None:
    """The most recent kill switch the trader pulled and the venue confirmed flat, whichever
    session it was in (a stop's routine flatten is no test)."""
    flat = [test for test in tests if test.deliberate and test.confirmed_flat]
    return max(flat, key=lambda test: test.wall_ns) if flat else None


def days_since(test: KillSwitchTest, now_ns: int) -> int:
    return max(0, now_ns - test.wall_ns) // NS_PER_DAY


def _keys(custody: KeyCustody) -> ChecklistLine:
    if custody.elsewhere:
        return ChecklistLine(
            KEYS,
            Verdict.FAILED,
            f"{', '.join(custody.elsewhere)} set in the environment, not in {custody.env_file}",
        )
    if not custody.in_file:
        return ChecklistLine(
            KEYS, Verdict.NOT_YET, f"no real-money API key in {custody.env_file} yet"
        )
    names = ", ".join(custody.in_file)
    mode = custody.file_mode
    if mode is not None and mode & 0o077:
        return ChecklistLine(
            KEYS,
            Verdict.FAILED,
            f"{custody.env_file} holds {names} but is mode {mode:o}: chmod 600 {custody.env_file}",
        )
    shown = "" if mode is None else f" (mode {mode:o})"
    return ChecklistLine(KEYS, Verdict.PASSED, f"{custody.env_file}{shown} holds {names}")


def _risk(risk: RiskSettings) -> ChecklistLine:
    pairs = (
        ("daily loss", _usd(risk.max_daily_loss_usd), _usd(GUIDE_RISK.max_daily_loss_usd),
         risk.max_daily_loss_usd <= GUIDE_RISK.max_daily_loss_usd, "MAX_DAILY_LOSS_USD"),
        ("position", _usd(risk.max_position_usd), _usd(GUIDE_RISK.max_position_usd),
         risk.max_position_usd <= GUIDE_RISK.max_position_usd, "MAX_POSITION_USD"),
        ("trades/day", str(risk.max_trades_per_day), str(GUIDE_RISK.max_trades_per_day),
         risk.max_trades_per_day <= GUIDE_RISK.max_trades_per_day, "MAX_TRADES_PER_DAY"),
    )  # fmt: skip
    why = ", ".join(f"{label} {yours} (guide {guide})" for label, yours, guide, _, _ in pairs)
    over = [setting for *_, ok, setting in pairs if not ok]
    if over:
        return ChecklistLine(RISK, Verdict.FAILED, f"{why}: lower {', '.join(over)}")
    return ChecklistLine(RISK, Verdict.PASSED, why)


def _audit(paper: SessionEvidence) -> ChecklistLine:
    if not paper.runs:
        return ChecklistLine(AUDIT, Verdict.NOT_YET, f"session {paper.name} has no run yet")
    signals = sum(paper.signals.values())
    orders = sum(paper.orders.values())
    return ChecklistLine(
        AUDIT,
        Verdict.PASSED,
        f"session {paper.name} recorded {signals:,} signals, {orders:,} orders and "
        f"{paper.fills:,} fills in {_count(len(paper.runs), 'run')}; the live run records under "
        "its --session too",
    )


def _capital(capital: Decimal | None) -> ChecklistLine:
    low, high = CAPITAL_BAND_USD
    if capital is None:
        return ChecklistLine(CAPITAL, Verdict.NOT_YET, "not stated: add --capital USD (e.g. 300)")
    if low <= capital <= high:
        return ChecklistLine(CAPITAL, Verdict.PASSED, f"{_usd(capital)} stated")
    return ChecklistLine(
        CAPITAL, Verdict.FAILED, f"{_usd(capital)} stated: start with {_usd(low)}–{_usd(high)}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _usd(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"
