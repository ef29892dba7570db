"""Evidence from replays never counts: a session's recording replayed through the full engine
leaves the session database, and so every checklist judged from it, exactly as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import FAST_SIM

pytestmark = pytest.mark.e2e

TABLES = ("sessions", "runs", "signals", "orders", "fills", "kill_switch_events",
          "latency_histograms", "gate_evaluations")  # fmt: skip


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_a_replay_adds_nothing_to_the_sessions_a_checklist_judges(
    l2console, tmp_path: Path
) -> None:
    db = tmp_path / "data" / "l2console.sqlite"  # the default database, relative to the run
    recorded = l2console(
        *("run", "--broker", "sim", "--live", "--session", "rehearsal", "--duration", "3"),
        *("--no-ui", "--record", "rehearsal.l2rec"),
        env=FAST_SIM,
    )
    assert recorded.returncode == 0, recorded.stderr
    judge = ("checklist", "integration", "--session", "rehearsal")
    before = l2console(*judge)
    assert before.returncode == 1  # a 3-second run leaves lines open
    assert "Evidence: session rehearsal on the simulated venue (LIVE (SIM))" in before.stdout
    assert "(replays never count)" in before.stdout
    stored = counts(db)
    assert stored["signals"] > 0 and stored["runs"] == 1

    replayed = l2console("replay", "rehearsal.l2rec", "--quiet")
    assert replayed.returncode == 0, replayed.stderr
    assert "FINAL REPLAY TRADING REPORT" in replayed.stdout
    assert counts(db) == stored
    after = l2console(*judge)
    assert after.stdout == before.stdout
