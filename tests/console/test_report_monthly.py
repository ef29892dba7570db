"""``l2console report --monthly``: the guide's monthly performance review, one row per calendar
month (UTC), from the same round trips and coverage as the daily and weekly rows."""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal
from pathlib import Path

import pytest

from console.cli import main
from console.report import build_report, period_rows, render_report
from console.report.periods import Period
from core.store import ReportData
from tests.console.checklist_sessions import write_integration_session
from tests.console.report_sessions import (
    DAY,
    HOUR,
    T0,
    guide_session,
    read,
    trips_from_nets,
    write_session,
)

NS_PER_DAY = DAY


def utc_ns(year: int, month: int, day: int = 1) -> int:
    return (dt.date(year, month, day) - dt.date(1970, 1, 1)).days * NS_PER_DAY


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportData]:
    db = tmp_path_factory.mktemp("monthly") / "l2.sqlite"
    return db, guide_session(db)


def test_months_are_calendar_months_and_add_up(guide: tuple[Path, ReportData]) -> None:
    _, data = guide
    report = build_report(data)
    rows = period_rows(report, Period.MONTHLY)
    assert [row.label for row in rows] == ["2024-06", "2024-07", "2024-08"]
    assert rows[0].span.start_ns == utc_ns(2024, 6) and rows[0].span.end_ns == utc_ns(2024, 7)
    assert rows[1].span.end_ns == utc_ns(2024, 8)  # July has 31 days
    assert sum(row.trades for row in rows) == report.stats.trades == 347
    assert rows[-1].cumulative_pnl == report.stats.total_pnl
    assert sum(row.covered_ns for row in rows) == report.clock.covered_ns


def test_a_month_nothing_ran_shows_as_a_gap(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    trips = trips_from_nets([Decimal(5), Decimal(-3)], T0 + HOUR, 70 * DAY)  # June, August
    write_session(db, "gappy", trips, [(T0, T0 + 2 * HOUR), (T0 + 70 * DAY, T0 + 71 * DAY)])
    rows = period_rows(build_report(read(db, "gappy")), Period.MONTHLY)
    assert [(row.label, row.trades, row.covered_ns) for row in rows][1] == ("2024-07", 0, 0)


def test_the_command_prints_the_review(
    guide: tuple[Path, ReportData], capsys: pytest.CaptureFixture[str], no_ambient_settings: None
) -> None:
    db, data = guide
    argv = ["--env-file", os.devnull, "report", "--session", "60days_kraken"]
    assert main([*argv, "--monthly", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "MONTHLY RESULTS (UTC) - Session: 60days_kraken"
    review = render_report(data, period="monthly")
    assert out.startswith(review)
    assert out.splitlines()[2].startswith("2024-06")
    assert out[len(review) :] == (  # the monthly habit ends the review
        "\nKill switch: never tested in any session: test it monthly (l2console flatten)\n"
    )


def test_the_review_ends_with_when_the_kill_switch_was_last_tested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_ambient_settings: None
) -> None:
    db = tmp_path / "l2.sqlite"
    guide_session(db)
    write_integration_session(
        db, "rehearsal", venue="sim", start_ns=time.time_ns() - 3 * DAY - HOUR
    )
    argv = ["--env-file", os.devnull, "report", "--session", "60days_kraken", "--db", str(db)]
    assert main([*argv, "--monthly"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "Kill switch: last confirmed flat 3 days ago (session rehearsal, sim)"
    write_integration_session(db, "old", venue="kraken", start_ns=time.time_ns() - 40 * DAY)
    assert main([*argv, "--monthly"]) == 0  # the newest test counts
    assert capsys.readouterr().out.splitlines()[-1] == last
    assert main(argv) == 0  # only the monthly review carries it
    assert "Kill switch:" not in capsys.readouterr().out
