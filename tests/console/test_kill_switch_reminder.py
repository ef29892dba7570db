"""The monthly habit: a notice when the last kill switch test is older than 30 days."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from console.checklists.reminder import kill_switch_reminder
from core.enums import Mode
from tests.console.checklist_sessions import (
    DAY,
    EVERYTHING,
    KILL_SWITCH,
    SECOND,
    write_integration_session,
)

TESTED = 1_750_000_000 * SECOND
RECORDED = TESTED + 9 * 3_600 * SECOND + 7 * SECOND  # the builder's kill switch moment


@pytest.fixture
def tested_db(tmp_path: Path) -> Path:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", start_ns=TESTED + 9 * 3_600 * SECOND)
    return db


def test_a_recent_test_says_nothing_and_an_old_one_reminds(tested_db: Path) -> None:
    assert kill_switch_reminder(tested_db, "live1", Mode.LIVE, RECORDED + 30 * DAY) is None
    reminder = kill_switch_reminder(tested_db, "live1", Mode.PAPER, RECORDED + 31 * DAY)
    assert reminder == (
        "Kill switch last tested 31 days ago (session demo): test it monthly: "
        "l2console flatten --session live1 (while it runs)"
    )


def test_never_tested_is_said_to_live_runs_only(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {KILL_SWITCH})
    now = time.time_ns()
    assert kill_switch_reminder(db, "demo", Mode.PAPER, now) is None
    reminder = kill_switch_reminder(db, "demo", Mode.LIVE, now)
    assert reminder is not None and reminder.startswith("Kill switch never tested")


def test_a_failed_kill_switch_is_no_test(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {KILL_SWITCH}, failed_kill_switch=True)
    reminder = kill_switch_reminder(db, "demo", Mode.LIVE, time.time_ns())
    assert reminder is not None and reminder.startswith("Kill switch never tested")
