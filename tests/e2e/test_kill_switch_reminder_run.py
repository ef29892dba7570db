"""A run of a session whose last kill switch test is 40 days old says so as a NOTICE."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.console.checklist_sessions import DAY, write_integration_session
from tests.e2e.conftest import FAST_SIM

pytestmark = pytest.mark.e2e


def test_an_old_kill_switch_test_is_a_notice_at_the_start(l2console, tmp_path: Path) -> None:
    db = tmp_path / "data" / "l2console.sqlite"
    db.parent.mkdir()
    write_integration_session(
        db, "demo", venue="sim", start_ns=time.time_ns() - 40 * DAY - DAY // 2
    )
    run = l2console(
        *("run", "--broker", "sim", "--live", "--session", "demo", "--duration", "2", "--no-ui"),
        env=FAST_SIM,
    )
    assert run.returncode == 0, run.stderr
    notices = [line for line in run.lines if "Kill switch last tested" in line]
    assert notices == [
        "NOTICE | Kill switch last tested 40 days ago (session demo): test it monthly: "
        "l2console flatten --session demo (while it runs)"
    ], run.lines[:20]
