"""``sweep --walk-forward IN,OUT``: rolling windows, each in-sample best judged out of sample."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from console.cli import main
from console.replay.sweep import ComboTrades, SweepResult
from console.replay.walk_forward import render_walk_forward, walk_forward
from console.settings import SettingsError
from core.enums import Side
from core.events import RoundTrip
from tests.console.conftest import BUSY

pytestmark = pytest.mark.usefixtures("no_ambient_settings")
S = 1_000_000_000
T0 = 1_714_564_800 * S


def trip(opened_s: int, net: str) -> RoundTrip:
    value = Decimal(net)
    opened = T0 + opened_s * S
    return RoundTrip(
        "PF_XBTUSD",
        Side.BUY,
        Decimal(1),
        Decimal(100),
        Decimal(100),
        value,
        Decimal(0),
        value,
        opened,
        opened + S,
    )


def result(*combos: tuple[str, list[RoundTrip]], seconds: int = 100) -> SweepResult:
    trades = tuple(ComboTrades((("entry_ratio", n),), tuple(t), None) for n, t in combos)
    return SweepResult(
        path=Path("x.l2rec"),
        split=0.7,
        split_wall_ns=0,
        rows=(),
        frames=1,
        synthetic=False,
        first_wall_ns=T0,
        last_wall_ns=T0 + seconds * S,
        trades=trades,
    )


def test_each_window_trades_the_previous_in_sample_best_out_of_sample() -> None:
    # Windows of 40 s in, 20 s out over 100 s: out of sample 40-60, 60-80, 80-100.
    a = [trip(10, "5"), trip(45, "-2"), trip(50, "1"), trip(70, "3"), trip(90, "-1")]
    b = [trip(20, "1"), trip(41, "4"), trip(65, "-3"), trip(85, "2"), trip(100, "7")]
    wf = walk_forward(result(("A", a), ("B", b)), 40.0, 20.0)

    assert [w.out_start_ns for w in wf.windows] == [T0 + 40 * S, T0 + 60 * S, T0 + 80 * S]
    assert [w.best for w in wf.windows] == [
        (("entry_ratio", "A"),),  # in 0-40: A +5 beats B +1
        (("entry_ratio", "B"),),  # in 20-60: A -1 (-2 +1), B +5 (+1 +4)
        (("entry_ratio", "A"),),  # in 40-80: A +2 (-2 +1 +3), B +1 (+4 -3)
    ]
    outs = [w.out_of_sample.stats.total_pnl for w in wf.windows if w.out_of_sample]
    # A 40-60: -2 +1; B 60-80: -3; A 80-100 (the last keeps a trade opened at its end): -1
    assert outs == [Decimal(-1), Decimal(-3), Decimal(-1)]
    assert [w.out_rank for w in wf.windows] == [2, 2, 2]
    assert wf.out_of_sample.trades == 4
    assert wf.out_of_sample.total_pnl == Decimal(-5)

    text = render_walk_forward(wf)
    assert text == render_walk_forward(wf)
    assert "3 windows" in text and "2 of 2" in text
    assert "-$5.00 over 4 trades" in text
    assert "in 0 of 3 windows and lost overall" in text


def test_a_window_without_in_sample_trades_sits_out() -> None:
    wf = walk_forward(result(("A", [trip(70, "2")])), 40.0, 20.0)
    assert wf.windows[0].best is None and wf.windows[0].out_rank == 0
    assert wf.windows[2].best == (("entry_ratio", "A"),)
    assert "(nothing traded)" in render_walk_forward(wf)


def test_a_recording_shorter_than_one_in_sample_window_is_refused() -> None:
    with pytest.raises(SettingsError, match="no longer than one in-sample window"):
        walk_forward(result(("A", []), seconds=30), 40.0, 20.0)


def test_the_command_prints_the_windows_after_the_split(
    sim_recording: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--env-file", os.devnull, "sweep", str(sim_recording), "--workers", "1"]
    args += ["--grid", "entry_ratio=1.6,2.2", "--walk-forward", "10s,5s"]
    for pair in BUSY:
        args += ["--set", pair]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.index("OUT-OF-SAMPLE") < out.index("WALK-FORWARD: in-sample 10s")
    assert "(4 windows)" in out
    assert "Out of sample, choosing by the past:" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10m", "--walk-forward takes IN,OUT durations"),
        ("10m,soon", "--walk-forward: bad duration 'soon'"),
        ("10m,0", "bad duration '0': must be more than zero"),
        ("5m,1m", "no longer than one in-sample window"),
    ],
)
def test_bad_windows_are_one_line(
    sim_recording: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    args = ["--env-file", os.devnull, "sweep", str(sim_recording), "--workers", "1"]
    assert main([*args, "--grid", "entry_ratio=1.6,2.2", "--walk-forward", value]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
