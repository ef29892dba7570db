"""The gate pane's source for a recorded paper session: the session's own report, recomputed
from the store on a reader connection of its own (in a thread, at most every few seconds)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from console.app.gates import GateProgress
from console.report.model import GateSettings, SessionReport, build_report
from console.report.text import guide_block
from core.gates import Gate, RequirementKind
from core.store.reader import SessionReader

REFRESH_S = 10.0


def progress_of(report: SessionReport) -> GateProgress | None:
    """The paper gate (5→6) as the pane shows it; None for other gates."""
    gate = report.gate
    if gate.gate is not Gate.PAPER_TO_LIVE:
        return None
    win = gate.requirement(RequirementKind.WIN_RATE)
    pf = gate.requirement(RequirementKind.PROFIT_FACTOR)
    trades = gate.requirement(RequirementKind.MIN_TRADES)
    days = gate.requirement(RequirementKind.DAYS)
    return GateProgress(
        gate=f"Gate {gate.gate.value}",
        session=report.name,
        days_covered=float(report.clock.days),
        days_required=float(days.threshold),
        win_rate_pct=None if win.actual is None else float(win.actual * 100),
        win_rate_target_pct=float(win.threshold * 100),
        profit_factor=None if pf.actual is None else float(pf.actual),
        profit_factor_target=float(pf.threshold),
        trades=int(trades.actual or 0),
        trades_minimum=int(trades.threshold),
        ready=gate.ready,
        verdict=guide_block(report)[-1],  # the report's own words
    )


def read_progress(path: Path, name: str, settings: GateSettings) -> GateProgress | None:
    with SessionReader(path) as reader:
        return progress_of(build_report(reader.report_data(name), settings))


class SessionGates:
    """A ``GateSource`` for one named session in one database file."""

    def __init__(self, path: Path, name: str, settings: GateSettings) -> None:
        self._path = path
        self._name = name
        self._settings = settings
        self._last: GateProgress | None = None
        self._read_at: float | None = None

    async def gate_progress(self) -> GateProgress | None:
        now = time.monotonic()
        if self._read_at is None or now - self._read_at >= REFRESH_S:
            self._read_at = now
            self._last = await asyncio.to_thread(
                read_progress, self._path, self._name, self._settings
            )
        return self._last
