"""A run of a session whose last kill switch test is 40 days old says so as a NOTICE, and once
as a notification."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.console.checklist_sessions import DAY, write_integration_session
from tests.console.unattended.receiver import receiver
from tests.e2e.conftest import FAST_SIM

pytestmark = pytest.mark.e2e


def test_an_old_kill_switch_test_is_a_notice_at_the_start(l2console, tmp_path: Path) -> None:
    db = tmp_path / "data" / "l2console.sqlite"
    db.parent.mkdir()
    write_integration_session(
        db, "demo", venue="sim", start_ns=time.time_ns() - 40 * DAY - DAY // 2
    )
    with receiver() as service:
        run = l2console(
            *("run", "--broker", "sim", "--live", "--session", "demo", "--duration", "2"),
            "--no-ui",
            env={**FAST_SIM, "NOTIFY_URLS": service.url},
        )
        told = service.wait_for("kill switch test due")
        texts = service.texts()
    assert run.returncode == 0, run.stderr
    notices = [line for line in run.lines if "Kill switch last tested" in line]
    assert notices == [
        "NOTICE | Kill switch last tested 40 days ago (session demo): test it monthly: "
        "l2console flatten --session demo (while it runs)"
    ], run.lines[:20]
    assert "Kill switch last tested 40 days ago (session demo)" in told
    assert sum(text.count("kill switch test due") for text in texts) == 1, texts

    # The run's stop flattened through the kill switch's code (every live stop asks the venue):
    # that is no test, so the next run is reminded just the same.
    again = l2console(
        *("run", "--broker", "sim", "--live", "--session", "demo", "--duration", "1", "--no-ui"),
        env=FAST_SIM,
    )
    assert again.returncode == 0, again.stderr
    assert [line for line in again.lines if "Kill switch last tested" in line] == notices
