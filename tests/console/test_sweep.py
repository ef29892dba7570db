"""``l2console sweep``: a settings grid on both cores, in-sample vs out-of-sample, overfitting."""

from __future__ import annotations

import asyncio
import os
from decimal import Decimal
from pathlib import Path

import pytest

from console.cli import main
from console.replay.overrides import apply_overrides, parse_assignment
from console.replay.runner import replay
from console.replay.sweep import (
    Segment,
    SweepRow,
    combinations,
    parse_grid,
    run_sweep,
    split_result,
)
from console.replay.sweep_report import in_sample_best, render_sweep, verdict
from console.settings import Settings, SettingsError
from core.enums import Side
from core.events import RoundTrip
from core.stats import compute_stats
from tests.console.conftest import BUSY

pytestmark = pytest.mark.usefixtures("no_ambient_settings")
VENUE = "kraken_futures"


def busy_base() -> Settings:
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    return apply_overrides(base, [parse_assignment(p) for p in BUSY], VENUE)


def test_the_grid_runs_every_combination_on_two_workers_in_grid_order(
    sim_recording: Path,
) -> None:
    grid = parse_grid(["entry_ratio=1.6,2.2", "take_profit=0.004,0.02"], VENUE)
    result = run_sweep(sim_recording, busy_base(), grid, VENUE, split=0.6, workers=2)

    assert [r.combination for r in result.rows] == [
        (("entry_ratio", "1.6"), ("take_profit", "0.004")),
        (("entry_ratio", "1.6"), ("take_profit", "0.02")),
        (("entry_ratio", "2.2"), ("take_profit", "0.004")),
        (("entry_ratio", "2.2"), ("take_profit", "0.02")),
    ]
    assert len({r.in_sample.stats.trades for r in result.rows}) > 1, "settings change trading"
    # A worker's row is exactly what an in-process replay of that combination gives.
    settings = apply_overrides(busy_base(), result.rows[1].combination, VENUE)
    direct = asyncio.run(replay(sim_recording, settings))
    split_wall_ns, row = split_result(direct, result.rows[1].combination, 0.6)
    assert row == result.rows[1]
    assert split_wall_ns == result.split_wall_ns
    assert row.in_sample.stats.trades + row.out_of_sample.stats.trades == len(direct.round_trips)
    assert row.in_sample.hours == pytest.approx(0.6 * 30 / 3600, rel=0.01)

    text = render_sweep(result)
    assert text == render_sweep(result)
    assert "REPLAY SWEEP (replay results never count toward the paper gate)" in text
    assert "IN-SAMPLE" in text and "OUT-OF-SAMPLE" in text
    assert "Win rate (95% CI)" in text
    assert text.count("entry_ratio=1.6 take_profit=0.004") == 2  # once per table


def test_the_command_prints_the_table(
    sim_recording: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--env-file", os.devnull, "sweep", str(sim_recording)]
    args += ["--grid", "cooldown=0.15,1", "--workers", "2"]
    for pair in BUSY:
        args += ["--set", pair]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "cooldown=0.15" in out and "cooldown=1" in out
    assert "In-sample best (*)" in out or "No combination traded in-sample" in out


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ([], "at least one --grid"),
        (["entry_ratio=2,"], "empty value"),
        (["entry_ratio=2", "entry_imbalance_ratio=3"], "in the grid twice"),
        (["api_key=1,2"], "cannot set 'api_key'"),
    ],
)
def test_a_bad_grid_is_one_line(grid: list[str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_grid(grid, VENUE)


def test_a_bad_value_in_the_grid_is_refused_before_any_worker_starts(
    sim_recording: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--env-file",
            os.devnull,
            "sweep",
            str(sim_recording),
            "--grid",
            "entry_ratio=2,0.5",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "bad value for entry_ratio" in err


def test_combinations_follow_the_grid_order() -> None:
    assert combinations([("a", ("1", "2")), ("b", ("x",))]) == [
        (("a", "1"), ("b", "x")),
        (("a", "2"), ("b", "x")),
    ]


# --- the verdict ---------------------------------------------------------------------------------
def trip(net: str) -> RoundTrip:
    value = Decimal(net)
    return RoundTrip(
        "PF_XBTUSD",
        Side.BUY,
        Decimal(1),
        Decimal(100),
        Decimal(100),
        value,
        Decimal(0),
        value,
        0,
        1,
    )


def segment(*nets: str, hours: float = 1.0) -> Segment:
    return Segment(hours, compute_stats([trip(n) for n in nets]), None)


def row(name: str, ins: Segment, outs: Segment) -> SweepRow:
    return SweepRow((("entry_ratio", name),), ins, outs)


def test_overfitting_is_called_out_when_the_in_sample_best_fails_out_of_sample() -> None:
    rows = (
        row("2.0", segment("5", "5", "-1"), segment(*["-1"] * 12)),
        row("3.0", segment("1", "-1"), segment(*["1"] * 12)),
    )
    best = in_sample_best(rows)
    assert best is rows[0]
    text = "\n".join(verdict(rows, best))
    assert "OVERFITTING WARNING" in text
    assert "rank 2 of 2" in text


def test_no_warning_when_the_best_keeps_its_rate_out_of_sample() -> None:
    rows = (row("2.0", segment("2", "2", hours=2), segment(*["1"] * 12, hours=1)),)
    text = "\n".join(verdict(rows, in_sample_best(rows)))
    assert "OVERFITTING" not in text
    assert "kept at least half" in text


def test_too_few_out_of_sample_trades_are_not_called_a_success() -> None:
    rows = (row("2.0", segment("2", "2"), segment("3")),)
    text = "\n".join(verdict(rows, in_sample_best(rows)))
    assert "Too few out-of-sample trades" in text


def test_nothing_traded_in_sample_means_nothing_to_choose() -> None:
    rows = (row("2.0", segment(), segment("1")),)
    assert in_sample_best(rows) is None
    assert verdict(rows, None) == ["No combination traded in-sample: nothing to choose from."]


def test_a_tie_goes_to_the_first_combination_in_grid_order() -> None:
    rows = (row("2.0", segment("1"), segment()), row("3.0", segment("1"), segment()))
    assert in_sample_best(rows) is rows[0]


def test_a_sweep_compares_signals_each_trading_its_own_way(sim_recording: Path) -> None:
    grid = parse_grid(["signal=ratio,queue,ofi"], VENUE)
    result = run_sweep(sim_recording, busy_base(), grid, VENUE, split=0.6, workers=2)
    assert [r.combination for r in result.rows] == [
        (("signal", "ratio"),),
        (("signal", "queue"),),
        (("signal", "ofi"),),
    ]
    trades = [r.in_sample.stats.trades + r.out_of_sample.stats.trades for r in result.rows]
    assert len(set(trades)) > 1, f"each signal trades differently, got {trades}"
    assert "signal=queue" in render_sweep(result)
