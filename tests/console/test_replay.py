"""``l2console replay``: the real parser and engine over a recording, labelled REPLAY, deterministic."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from brokers.recording import RecordingReader
from console.cli import main
from console.commands.errors import UsageError
from console.commands.replay import parse_speed
from tests.console.conftest import BUSY

pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def replay_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str
) -> tuple[int, str, str]:
    code = main(["--env-file", os.devnull, "replay", *args])
    out, err = capsys.readouterr()
    return code, out, err


def busy(path: Path, *extra: str) -> list[str]:
    args = [str(path)]
    for pair in (*BUSY, *extra):
        args += ["--set", pair]
    return args


def test_the_same_file_and_settings_print_the_same_bytes(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, first, err = replay_cli(capsys, tmp_path, *busy(sim_recording))
    _, second, _ = replay_cli(capsys, tmp_path, *busy(sim_recording))
    assert code == 0, err
    assert first == second
    assert "Traceback" not in err
    trades = re.search(r"^Total Trades: (\d+)$", first, re.MULTILINE)
    assert trades and int(trades.group(1)) >= 3, first


def test_every_line_says_replay_and_the_report_is_the_paper_block(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = replay_cli(capsys, tmp_path, *busy(sim_recording))
    lines = out.splitlines()
    assert lines[0].startswith("REPLAY of sim30.l2rec | Kraken Futures (simulated) | PF_XBTUSD")
    events = [line for line in lines if "SIGNAL #" in line or "TRADE CLOSED" in line]
    assert events
    assert all(re.match(r"^REPLAY 2024-05-01 12:00:\d\d\.\d{3} \| ", line) for line in events)
    assert "FINAL REPLAY TRADING REPORT - Recording: sim30.l2rec" in lines
    assert "(replay results never count toward the paper gate)" in lines
    for label in ("Total Trades:", "Win Rate:", "Profit Factor:", "Max Drawdown:", "Total P&L:"):
        assert any(line.startswith(label) for line in lines), label
    assert re.search(r"^Win Rate: \d+\.\d\d%$", out, re.MULTILINE)
    assert re.search(r"^  Win rate 95% interval ", out, re.MULTILINE)
    assert "Equity Curve" in out
    assert "  Trades Executed:" in out and "(REPLAY)" in out
    assert "  (a simulated market: results here prove nothing about a real one)" in lines
    bands = [line for line in lines if "Net P&L" in line and line.startswith("  ")]
    assert [b.split()[0] for b in bands] == ["pessimistic", "default", "optimistic"]
    # Never a gate verdict: a replay is not evidence for going live.
    assert "REQUIREMENTS" not in out and "READY" not in out and "[✓]" not in out


def test_set_changes_the_decisions_and_is_shown_in_the_report(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, loose, _ = replay_cli(capsys, tmp_path, *busy(sim_recording))
    _, strict, _ = replay_cli(capsys, tmp_path, *busy(sim_recording, "entry_ratio=40"))
    assert "entry_ratio=40.0*" in strict
    assert "  Signals Generated: 0\n" in strict
    assert "  Signals Generated: 0\n" not in loose


def test_quiet_prints_only_the_report(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, full, _ = replay_cli(capsys, tmp_path, *busy(sim_recording))
    _, quiet, _ = replay_cli(capsys, tmp_path, *busy(sim_recording), "--quiet")
    assert "SIGNAL #" not in quiet
    assert quiet.splitlines()[1:] == [
        line for line in full.splitlines()[1:] if not line.startswith("REPLAY 2024")
    ]


def test_a_torn_recording_replays_what_it_holds_and_says_so(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    torn = tmp_path / "torn.l2rec"
    data = sim_recording.read_bytes()
    torn.write_bytes(data[: len(data) * 2 // 3])
    code, out, err = replay_cli(capsys, tmp_path, *busy(torn), "--quiet")
    assert code == 0, err
    assert "Recording note: torn.l2rec: torn last block" in out
    whole = sum(1 for _ in RecordingReader(sim_recording).records())
    frames = int(re.search(r"^  Frames: ([\d,]+)", out, re.MULTILINE).group(1).replace(",", ""))
    assert 0 < frames < whole


def test_continuation_parts_are_replayed_in_order(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.console.sim_recording import write_sim_recording  # noqa: PLC0415

    parts = tmp_path / "parts.l2rec"
    write_sim_recording(parts, seconds=30, rotate_bytes=100_000)
    assert (tmp_path / "parts.l2rec.2").exists()
    _, split, _ = replay_cli(capsys, tmp_path, *busy(parts), "--quiet")
    _, whole, _ = replay_cli(capsys, tmp_path, *busy(sim_recording), "--quiet")
    assert re.search(r"\(\d+ parts\)", split)

    def body(text: str) -> list[str]:
        return [line for line in text.splitlines() if not re.search(r"(parts|sim30)\.l2rec", line)]

    assert body(split) == body(whole)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["absent.l2rec"], "no such recording"),
        (["--set", "nonsense=1"], "cannot set 'nonsense'"),
        (["--set", "take_profit=-1"], "bad value for take_profit"),
        (["--speed", "fast"], "bad --speed 'fast'"),
        (["--ui"], "the console needs a terminal"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(
    sim_recording: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    where = [str(tmp_path / args[0])] if args[0] == "absent.l2rec" else [str(sim_recording), *args]
    code, _, err = replay_cli(capsys, tmp_path, *where)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_not_a_recording_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello\n", encoding="utf-8")
    code, _, err = replay_cli(capsys, tmp_path, str(other))
    assert code == 2
    assert "is not an l2console recording" in err


@pytest.mark.parametrize(
    ("text", "speed"), [("max", None), ("1x", 1.0), ("10X", 10.0), ("2.5", 2.5)]
)
def test_speed_is_max_or_a_multiple_of_real_time(text: str, speed: float | None) -> None:
    assert parse_speed(text) == speed


@pytest.mark.parametrize("text", ["0x", "-1x", "fast", ""])
def test_a_bad_speed_is_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_speed(text)


def test_a_copied_recording_replays_identically(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "sim30.l2rec"
    shutil.copy(sim_recording, copy)
    _, here, _ = replay_cli(capsys, tmp_path, *busy(copy), "--quiet")
    _, there, _ = replay_cli(capsys, tmp_path, *busy(sim_recording), "--quiet")
    assert here == there
