"""A replay's output is pinned: signals, trades and the whole report of a recording with trades
are compared with a file written before the replay path was last optimised.

Two replays of one build agreeing (``test_replay.py``) cannot catch a change that moves every
replay alike; this can. If a deliberate behaviour change moves the output, regenerate the file
with ``L2_UPDATE_GOLDEN=1`` and say why in the commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.cli import main
from tests.console.sim_recording import write_sim_recording

pytestmark = pytest.mark.usefixtures("no_ambient_settings")

GOLDEN = Path(__file__).parent / "golden" / "replay_sim30_busy.txt"
# Settings under which the simulated market trades every few seconds (kept here, not shared, so
# the pinned output moves only when the replay does).
TRADING = (
    "entry_ratio=1.6",
    "reversal_ratio=1.2",
    "take_profit=0.004",
    "stop_loss=0.004",
    "max_hold=0.4",
    "cooldown=0.15",
    "max_trades=100000",
    "max_daily_loss=1000000",
    "max_position=1000",
)


def test_a_replay_with_trades_prints_the_pinned_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "sim30.l2rec"
    # Small parts: the replay crosses part boundaries (and progress/yield points) mid-run.
    write_sim_recording(recording, seconds=30, rotate_bytes=100_000)
    args = ["--env-file", os.devnull, "replay", str(recording)]
    for pair in TRADING:
        args += ["--set", pair]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    if os.environ.get("L2_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(out, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert out.count("TRADE CLOSED") == expected.count("TRADE CLOSED") >= 50
    assert out == expected
