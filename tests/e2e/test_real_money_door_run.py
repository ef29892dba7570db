"""The door to real money, whole program, on both real venues' protocols: a Kraken or Binance.us
real-money run (pointed at the simulated venue with the URL settings and its public fake keys)
is let through when the live checklist of the paper session it names passes, or when the trader
skips it; what the door decided is kept with the run, and the live session is judged by gate
6→7 from its first run on."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from brokers.sim import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET
from tests.console.checklist_sessions import DAY, write_integration_session
from tests.console.report_sessions import guide_session
from tests.e2e.conftest import clean_env, l2console_argv

pytestmark = pytest.mark.e2e

PAPER = "60days_kraken"
# venue -> (the sim's protocol, the real-money keys set to the sim's public fake ones)
VENUES = {
    "kraken": (
        "kraken_unified",
        {"KRAKEN_API_KEY": SIM_UNIFIED_API_KEY, "KRAKEN_API_SECRET": SIM_UNIFIED_API_SECRET},
    ),
    "binance_us": (
        "binance_us",
        {
            "BINANCE_US_API_KEY": BINANCE_SIM_API_KEY,
            "BINANCE_US_API_SECRET": BINANCE_SIM_API_SECRET,
        },
    ),
}


@contextmanager
def simulated(protocol: str, cwd: Path) -> Iterator[dict[str, str]]:
    """``l2console sim --protocol PROTOCOL`` on a free port: the settings it announces."""
    argv = l2console_argv("sim", "--protocol", protocol, "--port", "0", "--rate", "200",
                          env_file=cwd / "absent.env")  # fmt: skip
    proc = subprocess.Popen(argv, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(3)]
        assert lines[0].startswith("Simulated "), lines
        yield dict(line.split("=", 1) for line in lines[1:])
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(cwd: Path, env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        l2console_argv(*args, env_file=env_file),
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def door_of(db: Path, session: str) -> list[dict[str, object]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT r.parameters FROM runs r JOIN sessions s ON s.id = r.session_id"
            " WHERE s.name = ? ORDER BY r.id",
            (session,),
        ).fetchall()
    return [json.loads(parameters) for (parameters,) in rows]


@pytest.mark.parametrize("venue", sorted(VENUES))
def test_a_real_money_run_passes_the_door_or_skips_it_and_its_record_says_which(
    tmp_path: Path, venue: str
) -> None:
    db = tmp_path / "l2.sqlite"
    guide_session(db)  # a paper session past gate 5→6
    write_integration_session(db, "demo", start_ns=time.time_ns() - DAY)  # kill switch: a day ago
    protocol, keys = VENUES[venue]
    with simulated(protocol, tmp_path) as urls:
        env_file = tmp_path / ".env"
        settings = {**keys, **urls, "MAX_ACCEPTABLE_DRAWDOWN_USD": "500"}
        env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
        env_file.chmod(0o600)
        real_money = ("run", "--broker", venue, "--live", "--i-understand-this-is-real-money",
                      "--no-ui", "--duration", "3", "--db", str(db))  # fmt: skip

        refused = run(
            tmp_path, env_file, *real_money, "--session", "live1", "--validated-by", PAPER
        )
        assert refused.returncode == 2
        assert "refusing real money" in refused.stderr
        assert "not yet  Capital within the guide's $100–500" in refused.stderr
        assert door_of(db, "live1") == []  # nothing ran, nothing recorded

        passed = run(tmp_path, env_file, *real_money, "--session", "live1",
                     "--validated-by", PAPER, "--capital", "300")  # fmt: skip
        assert passed.returncode == 0, passed.stderr
        skipped = run(tmp_path, env_file, *real_money, "--session", "live2", "--skip-checklist")
        assert skipped.returncode == 0, skipped.stderr
        assert "--skip-checklist: trading real money WITHOUT the live checklist" in skipped.stderr

    [passed_run] = door_of(db, "live1")
    assert passed_run["real_money"] is True
    assert passed_run["real_money_door"] == {
        "checklist": "passed",
        "validated_by": PAPER,
        "capital_usd": "300",
    }
    [skipped_run] = door_of(db, "live2")
    assert skipped_run["real_money_door"] == {
        "checklist": "skipped",
        "validated_by": None,
        "capital_usd": None,
    }

    # Gate 6→7 is tracked on the live session: kept at the run's end, shown by its report.
    with sqlite3.connect(db) as connection:
        gates = connection.execute(
            "SELECT g.gate FROM gate_evaluations g JOIN sessions s ON s.id = g.session_id"
            " WHERE s.name = 'live1'"
        ).fetchall()
    assert gates == [("6→7",)]
    report = run(tmp_path, tmp_path / "absent.env", "report", "--session", "live1", "--db", str(db))
    assert report.returncode == 0, report.stderr
    assert report.stdout.startswith("FINAL LIVE TRADING REPORT - Session: live1")
    assert "Gate 6→7 Requirements:" in report.stdout
    assert "GATE 6→7 REQUIREMENTS NOT MET" in report.stdout  # 3 seconds of 30 days
    # The evidence says where it came from: real money on this venue.
    checklist = run(tmp_path, tmp_path / "absent.env", "checklist", "integration",
                    "--session", "live1", "--db", str(db))  # fmt: skip
    title = "Binance.us" if venue == "binance_us" else "Kraken Futures production"
    assert f"Evidence: session live1 on {title} (LIVE REAL MONEY)" in checklist.stdout
