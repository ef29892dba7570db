"""The daily and weekly reports and the gate watch, read from a real session database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from console.report.model import GateSettings, build_report
from console.unattended.events import Notification, NotifyEvent
from console.unattended.notifier import Post
from console.unattended.reports import SessionReports, next_midnight
from core.gates import PaperGateThresholds
from core.store import SessionReader
from tests.console.cli_process import NAME


def read(path: Path, settings: GateSettings | None = None):  # type: ignore[no-untyped-def]
    with SessionReader(path) as reader:
        return build_report(reader.report_data(NAME), settings)


def test_midnight_is_the_next_utc_day() -> None:
    assert next_midnight(1_780_000_000.0) == 1_780_012_800.0  # 2026-05-28 20:26:40 -> 05-29
    assert next_midnight(1_780_012_800.0) == 1_780_099_200.0


async def test_daily_and_weekly_reports_are_short_and_say_the_gate(sample_database: Path) -> None:
    sent: list[Notification] = []
    reports = SessionReports(
        Post(sent.append, frozenset(NotifyEvent)), lambda: read(sample_database)
    )
    await reports.look(daily=True, weekly=True)
    daily, weekly = sent
    assert (daily.event, daily.title) == (NotifyEvent.DAILY, f"daily report {NAME}")
    assert weekly.event is NotifyEvent.WEEKLY
    lines = daily.body.splitlines()
    assert lines[0].endswith("h covered") and "trades" in lines[0]
    assert any(line.startswith("Total P&L: ") for line in lines)
    assert lines[-1].startswith("✗ GATE 5→6 REQUIREMENTS NOT MET")
    assert len(lines) <= 8


async def test_the_gate_reached_and_lost_is_told_once_each(sample_database: Path) -> None:
    sent: list[Notification] = []
    easy = GateSettings(
        paper=PaperGateThresholds(
            days=Decimal("0.5"), win_rate=Decimal(0), profit_factor=Decimal(0), min_trades=1
        )
    )
    settings = [GateSettings()]
    reports = SessionReports(
        Post(sent.append, frozenset(NotifyEvent)), lambda: read(sample_database, settings[0])
    )
    await reports.look(daily=False, weekly=False)  # the first look only learns where it stands
    settings[0] = easy
    await reports.look(daily=False, weekly=False)
    await reports.look(daily=False, weekly=False)
    settings[0] = GateSettings()
    await reports.look(daily=False, weekly=False)
    assert [n.title for n in sent] == ["gate 5→6 reached", "gate 5→6 lost"]
