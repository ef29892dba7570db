"""`l2console record`, `run --record` and `replay` as a user runs them, in subprocesses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import FAST_SIM

pytestmark = pytest.mark.e2e


def test_record_then_replay_twice_gives_the_same_report(l2console, tmp_path: Path) -> None:
    recorded = l2console("record", "--out", "rec.l2rec", "--duration", "2", env=FAST_SIM)
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.lines[0].startswith("RECORD | Kraken Futures (simulated) | PF_XBTUSD")
    summary = re.match(r"^RECORDED \| ([\d,]+) frames in 1 part\(s\)", recorded.lines[-1])
    assert summary, recorded.lines[-1]
    frames = int(summary.group(1).replace(",", ""))
    # The Unified sim sends one book message per symbol per 10 ms tick that changed something
    # (up to 100 a second, each with several levels), a few lost to connecting.
    assert frames > 100

    first = l2console("replay", "rec.l2rec", "--set", "entry_ratio=1.6")
    second = l2console("replay", "rec.l2rec", "--set", "entry_ratio=1.6")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert f"Frames: {frames:,} |" in first.stdout
    assert "FINAL REPLAY TRADING REPORT - Recording: rec.l2rec" in first.stdout
    assert first.stderr == ""  # no progress bar without a terminal


def test_run_records_what_it_trades_on(l2console, tmp_path: Path) -> None:
    run = l2console(
        "run", "--paper", "--no-ui", "--duration", "2", "--record", "run.l2rec", env=FAST_SIM
    )
    assert run.returncode == 0, run.stderr
    assert any(line == "Recording raw frames to run.l2rec" for line in run.lines)
    bands = run.lines[run.lines.index("Fill Bands (the same decisions, filled worse / better):") :]
    assert [line.split()[0] for line in bands[1:4]] == ["pessimistic", "default", "optimistic"]
    updates = re.search(r"^Feed: (\d+) book updates", run.stdout, re.MULTILINE)
    assert updates

    replayed = l2console("replay", "run.l2rec", "--quiet")
    assert replayed.returncode == 0, replayed.stderr
    deltas = re.search(r"\| snapshots (\d+) \| deltas ([\d,]+) \|", replayed.stdout)
    assert deltas
    book_events = int(deltas.group(1)) + int(deltas.group(2).replace(",", ""))
    assert book_events >= int(updates.group(1))  # every book update the run saw was recorded


def test_recording_never_overwrites_a_file(l2console, tmp_path: Path) -> None:
    (tmp_path / "taken.l2rec").write_bytes(b"precious")
    run = l2console("record", "--out", "taken.l2rec", "--duration", "1", env=FAST_SIM)
    assert run.returncode == 2
    assert "taken.l2rec already exists" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert (tmp_path / "taken.l2rec").read_bytes() == b"precious"
