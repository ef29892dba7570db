"""Status files: a silent heartbeat is shown as such; start failures are told once an hour."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from console.commands.status import status_line
from console.unattended.start_failure import start_failures_since_told
from console.unattended.status_board import SILENT_AFTER_S, read_statuses, write_status

HOUR_NS = 3600 * 1_000_000_000


def test_a_live_process_with_an_old_heartbeat_is_not_answering(tmp_path: Path) -> None:
    now = time.time_ns()
    old = now - int((SILENT_AFTER_S + 1) * 1e9)
    write_status(tmp_path, {"pid": os.getpid(), "heartbeat_ns": old, "every_s": 2.0})
    (tmp_path / "half.json").write_text("{not json", encoding="utf-8")  # skipped, not an error
    [only] = read_statuses(tmp_path, now_ns=now)
    assert (only.pid, only.health) == (os.getpid(), "not answering")
    assert only.heartbeat_age_s > SILENT_AFTER_S
    write_status(tmp_path, {"pid": os.getpid(), "heartbeat_ns": now, "every_s": 2.0})
    assert read_statuses(tmp_path, now_ns=now)[0].health == "running"
    assert json.loads((tmp_path / f"{os.getpid()}.json").read_text())["heartbeat_ns"] == now


def test_the_status_line_says_when_a_run_stopped_answering() -> None:
    line = status_line(
        {
            "pid": 42,
            "health": "not answering",
            "heartbeat_age_s": 95.0,
            "session": "60days",
            "mode": "PAPER",
            "venue": "Kraken Futures",
            "symbol": "PF_XBTUSD",
            "book": "LIVE",
            "position": "0",
            "today_pnl": "-1.5",
            "session_pnl": "12.25",
            "gate": {"gate": "5→6", "days_covered": 12.5, "ready": False, "missing": ["days"]},
            "kill_switch": "idle",
        }
    )
    assert line.startswith("60days pid 42 PAPER Kraken Futures PF_XBTUSD | NOT ANSWERING")
    assert "heartbeat 95s ago" in line and "today -$1.50, session $12.25" in line
    assert "gate 5→6 12.5 days, missing days" in line


def test_a_start_failing_again_and_again_is_told_once_an_hour(tmp_path: Path) -> None:
    t0 = 1_780_000_000 * 1_000_000_000
    assert start_failures_since_told(tmp_path, "60days", t0) == 0
    assert start_failures_since_told(tmp_path, "60days", t0 + 10 * 10**9) is None
    assert start_failures_since_told(tmp_path, "60days", t0 + 20 * 10**9) is None
    assert start_failures_since_told(tmp_path, "other", t0 + 30 * 10**9) == 0
    assert start_failures_since_told(tmp_path, "60days", t0 + HOUR_NS + 1) == 2
    assert start_failures_since_told(tmp_path, "60days", t0 + HOUR_NS + 2) is None
