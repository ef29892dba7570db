"""The gate pane's view of a session recorded in a real SQLite store."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from console.app.session_gates import SessionGates
from console.report.model import GateSettings
from tests.console.report_sessions import (
    DAY,
    HOUR,
    T0,
    guide_session,
    trips_from_nets,
    write_session,
)


def test_the_guides_session_reads_ready_with_the_reports_numbers(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    guide_session(db)
    progress = asyncio.run(SessionGates(db, "60days_kraken", GateSettings()).gate_progress())
    assert progress is not None
    assert progress.ready
    assert progress.days_covered == pytest.approx(60.2)
    assert progress.days_required == 60
    assert progress.win_rate_pct == pytest.approx(54.47, abs=0.01)
    assert progress.profit_factor == pytest.approx(1.53, abs=0.005)
    assert progress.trades == 347
    assert "READY FOR LIVE TRADING" in progress.verdict


def test_a_young_session_is_not_met_and_says_what_is_missing(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    nets = [Decimal(n) for n in (1, -2, 3, -1, 2)]  # a handful of round trips
    trips = trips_from_nets(nets, T0 + HOUR, HOUR)
    write_session(db, "young", trips, [(T0, T0 + 2 * DAY)])
    progress = asyncio.run(SessionGates(db, "young", GateSettings()).gate_progress())
    assert progress is not None
    assert not progress.ready
    assert not progress.days_met
    assert not progress.trades_met
    assert progress.trades == 5
    assert "NOT MET" in progress.verdict
