"""tardis.dev CSV files through replay, sweep, study, bench --frames and ``convert``: the real
parser, book and engine, unchanged."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from brokers.recording import RecordingReader
from console.bench.frames import read_frames
from console.cli import main
from console.replay.overrides import apply_overrides, parse_assignment
from console.replay.report import render_replay
from console.replay.runner import ReplayPlayer, replay
from console.replay.sweep import parse_grid, run_sweep
from console.settings import Settings
from console.study.outcomes import parse_horizon
from console.study.run import run_study
from core.enums import BookState, Side
from tests.brokers.recording.tardis_files import (
    T0_US,
    row,
    rows_of_recording,
    snapshot_rows,
    write_tardis,
)
from tests.console.conftest import BUSY

pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def busy() -> Settings:
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    return apply_overrides(base, [parse_assignment(p) for p in BUSY], "kraken")


@pytest.fixture(scope="module")
def tardis_of_sim(sim_recording: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulated market's 30 s as a gzip tardis file, with another symbol's rows mixed in."""
    rows = rows_of_recording(sim_recording)
    mixed = []
    for index, item in enumerate(rows):
        mixed.append(item)
        if index % 500 == 0:
            mixed.append(("cryptofacilities", "PF_ETHUSD", *item[2:]))
    path = tmp_path_factory.mktemp("tardis") / "cryptofacilities_incremental_book_L2.csv.gz"
    return write_tardis(path, mixed, gz=True)


def _in_us(items: Sequence[Any]) -> list[Any]:
    out = []
    for item in items:
        times = {
            name: getattr(item, name) // 1000 * 1000
            for name in ("wall_ns", "opened_wall_ns", "closed_wall_ns")
            if hasattr(item, name)
        }
        out.append(replace(item, **times))
    return out


def _report_without_file_lines(text: str, name: str) -> str:
    """The report with the file's name taken out, and the notes on rows the tardis reader left
    out (a converted recording holds none of those rows)."""
    return "\n".join(
        line.replace(name, "FILE")
        for line in text.splitlines()
        if not line.startswith(("  Recording note:", "  Recording: "))
    )


async def test_a_tardis_file_trades_exactly_as_the_recording_it_was_made_of(
    sim_recording: Path, tardis_of_sim: Path
) -> None:
    # Left open at the end: the recording's last frame is a heartbeat, which tardis has not.
    original = await replay(sim_recording, busy(), flatten_at_end=False)
    from_tardis = await replay(tardis_of_sim, busy(), symbol="PF_XBTUSD", flatten_at_end=False)

    assert len(original.round_trips) > 3, "the fixture must trade"
    # tardis keeps microseconds: the recording's nanoseconds are the only difference.
    assert [s.signal for s in from_tardis.signals] == _in_us([s.signal for s in original.signals])
    assert list(from_tardis.fills) == _in_us(original.fills)
    assert list(from_tardis.round_trips) == _in_us(original.round_trips)
    assert from_tardis.counts.deltas == original.counts.deltas
    assert from_tardis.state.book.state is BookState.LIVE


async def test_a_converted_file_replays_to_the_same_report_as_the_tardis_file(
    tardis_of_sim: Path, tmp_path: Path
) -> None:
    out = tmp_path / "converted.l2rec"
    assert main(["convert", str(tardis_of_sim), str(out), "--symbol", "PF_XBTUSD"]) == 0
    assert RecordingReader(out).header.extra["converted_from"] == tardis_of_sim.name

    source = await replay(tardis_of_sim, busy(), symbol="PF_XBTUSD")
    converted = await replay(out, busy())
    assert converted.round_trips == source.round_trips
    assert _report_without_file_lines(
        render_replay(converted, base=busy()), out.name
    ) == _report_without_file_lines(render_replay(source, base=busy()), tardis_of_sim.name)
    assert "rows of other symbols skipped: PF_ETHUSD" in render_replay(source, base=busy())


async def test_a_snapshot_after_deltas_resets_the_book_and_a_crossed_book_waits_for_it(
    tmp_path: Path,
) -> None:
    path = write_tardis(
        tmp_path / "reset.csv",
        [
            *snapshot_rows(T0_US, [("100.0", "1"), ("99.5", "2")], [("100.5", "1")]),
            row(T0_US + 1_000, "bid", "100.0", "3"),
            row(T0_US + 2_000, "bid", "100.5", "1"),  # crosses the ask: the book says so
            row(T0_US + 3_000, "bid", "99.0", "1"),  # on a crossed book: waits for a snapshot
            *snapshot_rows(T0_US + 10_000, [("200.0", "5")], [("201.0", "6")]),
            row(T0_US + 11_000, "ask", "202.0", "7"),
        ],
    )
    player = ReplayPlayer(path, busy())
    await player.play()
    book = player.engine.book
    assert book.state is BookState.LIVE
    assert list(book.levels_from_best(Side.SELL)) == [(200.0, 5.0)], "the old levels are gone"
    assert list(book.levels_from_best(Side.BUY)) == [(201.0, 6.0), (202.0, 7.0)]
    result = await player.finish()
    assert result.state.counters.crossed == 1
    assert result.counts.reconnects == 1  # the second snapshot: a reset, as tardis documents


async def test_binance_us_rows_replay_through_the_binance_parser(tmp_path: Path) -> None:
    keys = {"exchange": "binance-us", "symbol": "BTCUSD"}
    path = write_tardis(
        tmp_path / "binance-us.csv.gz",
        [
            *snapshot_rows(T0_US, [("100.00", "0.5"), ("99.90", "1")], [("100.10", "0.7")], **keys),
            row(T0_US + 1_000, "ask", "100.20", "1.5", **keys),
            row(T0_US + 2_000, "bid", "99.90", "0", **keys),
            *snapshot_rows(T0_US + 9_000, [("101.00", "2")], [("101.10", "3")], **keys),
        ],
        gz=True,
    )
    player = ReplayPlayer(path, busy())
    await player.play()
    assert player.header.venue == "binance_us"
    assert list(player.engine.book.levels_from_best(Side.SELL)) == [(101.0, 2.0)]
    result = await player.finish()
    assert (result.counts.snapshots, result.counts.deltas, result.counts.reconnects) == (2, 2, 1)
    assert result.state.book.state is BookState.LIVE


def test_the_commands_take_a_symbol_and_say_which_ones_a_file_holds(
    tardis_of_sim: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = ["--env-file", os.devnull]
    assert main([*env, "replay", str(tardis_of_sim), "--quiet"]) == 2
    assert "several symbols: PF_ETHUSD" in capsys.readouterr().err
    assert main([*env, "replay", str(tardis_of_sim), "--quiet", "--symbol", "PF_XBTUSD"]) == 0
    assert "Kraken Futures (tardis.dev)" in capsys.readouterr().out
    out = tmp_path / "again.l2rec"
    assert main([*env, "convert", str(tardis_of_sim), str(out)]) == 2
    assert "choose one with --symbol" in capsys.readouterr().err
    assert not out.exists()


def test_sweep_study_and_bench_frames_read_a_tardis_file(tardis_of_sim: Path) -> None:
    grid = parse_grid(["entry_ratio=1.6,2.2"], "kraken")
    swept = run_sweep(tardis_of_sim, busy(), grid, "kraken", workers=1, symbol="PF_XBTUSD")
    direct = asyncio.run(replay(tardis_of_sim, busy(), symbol="PF_XBTUSD"))
    first = swept.rows[0]
    assert first.in_sample.stats.trades + first.out_of_sample.stats.trades == len(
        direct.round_trips
    )

    study = run_study(
        [tardis_of_sim],
        busy(),
        signals=["ratio"],
        horizons=[parse_horizon("5")],
        symbol="PF_XBTUSD",
    )
    assert study.venue == "kraken"
    assert study.rows > 1000

    frames = read_frames(tardis_of_sim, "PF_XBTUSD")
    assert frames.traded == "PF_XBTUSD"
    assert len(frames.frames) == direct.frames
