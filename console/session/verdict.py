"""The facts a run's end is decided on: whether the stop flattens first, whether the venue's
dead-man's switch may be disarmed, and the gate verdict kept with the session."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from console.exit_status import venue_may_hold
from console.report import SessionReport, build_report
from console.settings import Settings
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import Mode
from core.store import GateEvaluation, SessionReader


def flatten_at_stop(*, started: bool, asked: bool, mode: Mode, position: Decimal) -> bool:
    """A stop flattens first when asked, on paper and live only, and only where there may be
    something to flatten: live always asks the venue (it may hold orders or a position the
    ledger does not know); a start that failed said why and traded nothing."""
    must_check = mode is Mode.LIVE or position != 0
    return started and asked and mode in (Mode.PAPER, Mode.LIVE) and must_check


def with_uncertain_orders(
    mode: Mode, status: KillSwitchStatus | None, uncertain: tuple[str, ...]
) -> KillSwitchStatus | None:
    """No flatten asked for, but a live order may still execute: not flat (exit status 1)."""
    if status is None and mode is Mode.LIVE and uncertain:
        ids = ", ".join(uncertain)
        return KillSwitchStatus(KillSwitchPhase.FAILED, f"NOT FLAT: order {ids} outcome uncertain")
    return status


def may_disarm(
    mode: Mode, status: KillSwitchStatus | None, position: Decimal, uncertain: tuple[str, ...] = ()
) -> bool:
    """Live and not confirmed flat (an order whose outcome is uncertain may yet reach the venue):
    the dead-man's switch stays armed, so the venue cancels any order left behind once it times
    out."""
    return mode is not Mode.LIVE or not (venue_may_hold(status, position) or uncertain)


def read_report(path: Path, name: str, settings: Settings) -> SessionReport:
    """Session ``name``'s report as the database holds it now (blocking: run it off the loop)."""
    with SessionReader(path) as reader:
        return build_report(reader.report_data(name), settings.gate_settings)


def gate_evaluation(report: SessionReport, wall_ns: int) -> GateEvaluation:
    """The report's gate verdict as of ``wall_ns``, as the session keeps it (reports recompute
    it)."""
    return GateEvaluation(
        wall_ns=wall_ns,
        gate=report.gate.gate.value,
        ready=report.gate.ready,
        details={r.kind.value: r.met for r in report.gate.requirements},
    )
