"""`l2console run --no-ui` against the built-in simulated venue, as a user would run it."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import pytest

from tests.e2e.conftest import FAST_SIM, clean_env, l2console_argv

pytestmark = pytest.mark.e2e

BANNER = re.compile(
    r"^Simulated market \(Kraken Futures protocol on 127\.0\.0\.1\) initialized "
    r"\| Symbol: PF_XBTUSD \| Mode: DRY RUN \| Duration: 4 s$"
)
SNAPSHOT = re.compile(r"^Order book snapshot loaded: \d+ bids, \d+ asks$")
SIGNAL = re.compile(
    r"^SIGNAL #(\d+): (BUY|SELL|CLOSE) \| Price: \d+\.\d \| Qty: \d+\.\d{4} \| Reason: .+$"
)
STATE = re.compile(
    r"^STATE \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| Imbalance: \d+\.\d\d \| Mid: \d+\.\d "
    r"\| Spread: \d+\.\d\d bps \| Signals: \d+ \| Position: (flat|(LONG|SHORT) 0\.\d{4} @ "
    r"\d+\.\d, unrealized [-+]?\$\d+\.\d+) \| Net P&L: -?\$\d+\.\d+ "
    r"\| Latency: \d+\.\d+ms avg tick→decision \| Dead man's switch: off \(dry run\)$"
)


def test_dry_run_prints_the_guides_lines_and_summary(l2console) -> None:
    run = l2console("run", "--duration", "4", "--no-ui", env=FAST_SIM)

    assert run.returncode == 0, run.stderr
    lines = run.lines
    assert BANNER.match(lines[0]), lines[0]
    assert "L2 Demo" not in run.stdout  # the simulated market says what it is
    assert lines[2].startswith("DRY RUN: a look, not a record")
    assert any(SNAPSHOT.match(line) for line in lines)
    signals = [m for m in map(SIGNAL.match, lines) if m]
    assert signals, "the fast sim produces signals within 4 s"
    assert [int(m.group(1)) for m in signals] == list(range(1, len(signals) + 1))
    states = [line for line in lines if line.startswith("STATE |")]
    assert len(states) >= 3  # one a second, and once more at exit
    assert all(STATE.match(line) for line in states), states
    for label in (
        "Duration:",
        "Signals Generated:",
        "Avg Latency:",
        "P95 Latency:",
        "Max Latency:",
    ):
        assert any(line.startswith(label) for line in lines), label
    assert f"Signals Generated: {len(signals)}" in lines
    assert any(re.match(r"^Trades Executed: \d+ \(DRY RUN\)$", line) for line in lines)
    assert "✓ Latency target MET (<50ms)" in lines
    assert "Traceback" not in run.stderr


async def test_sigterm_in_paper_mode_flattens_then_prints_the_summary(tmp_path: Path) -> None:
    # Exits that never trigger: once in a position, only the kill switch can close it.
    env = clean_env(
        {
            **FAST_SIM,
            "TAKE_PROFIT_PCT": "50",
            "STOP_LOSS_PCT": "50",
            "MAX_HOLD_SECONDS": "86400",
            "REVERSAL_IMBALANCE_RATIO": "1000000",
        }
    )
    proc = await asyncio.create_subprocess_exec(
        *l2console_argv("run", "--paper", "--no-ui", env_file=tmp_path / "absent.env"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        entry = await asyncio.wait_for(_first_entry(proc), timeout=30)
        assert entry
        proc.send_signal(signal.SIGTERM)
        rest, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    out = rest.decode()
    assert proc.returncode == 0, err.decode()
    assert "SIGTERM received: stopping" in out
    assert re.search(r"SIGNAL #\d+: CLOSE .* Reason: Shutdown: flatten", out)
    assert "Kill switch: flat confirmed" in out
    assert "Position: flat" in out
    assert "Trades Executed: 2 (PAPER)" in out


async def _first_entry(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    while line := (await proc.stdout.readline()).decode():
        if re.match(r"^SIGNAL #\d+: (BUY|SELL) ", line) and "BLOCKED" not in line:
            return line
    return ""
