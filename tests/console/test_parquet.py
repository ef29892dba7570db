"""Parquet out: ``export`` (one row per book update, every signal) and ``report --format
parquet`` (the round trips, exact decimals), read back with pyarrow."""

from __future__ import annotations

import asyncio
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from console.cli import main
from console.parquet.features import COLUMNS
from console.parquet.round_trips import ROUND_TRIP_COLUMNS
from console.study.series import read_series
from core.signals import SIGNAL_NAMES
from core.store import SessionReader
from tests.console.cli_process import NAME
from tests.console.report_sessions import HOUR, T0, trips_from_nets, write_session_async
from tests.console.sim_recording import MONO0
from tests.console.sim_recording import T0 as SIM_T0

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--env-file", os.devnull, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_writes_one_row_per_book_update_with_every_signal(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "features.parquet"
    code, out, err = run(capsys, "export", str(sim_recording), "--to", str(target))
    assert code == 0, err
    table = pq.read_table(target)
    assert tuple(table.column_names) == COLUMNS
    assert set(SIGNAL_NAMES) <= set(table.column_names)
    assert table.schema.metadata[b"symbol"] == b"PF_XBTUSD"
    rows = table.num_rows
    assert f"{rows:,} book updates of PF_XBTUSD" in out
    assert rows > 10_000  # one per level change of 30 s at 400 changes/s, not per venue time

    col = {name: table.column(name).to_pylist() for name in COLUMNS if "time" not in name}
    recv = col["recv_ns"]
    wall = table.column("time").cast(pa.int64()).to_pylist()
    venue = table.column("venue_time").cast(pa.int64()).to_pylist()
    assert table.column("venue_time").null_count == 0  # every Kraken book frame is stamped
    assert all(w - r == SIM_T0 - MONO0 for w, r in zip(wall, recv, strict=True))
    assert all(abs(v - w) < 20_000_000 for v, w in zip(venue, wall, strict=True))  # one tick
    for i in range(rows):
        bid, ask = col["best_bid"][i], col["best_ask"][i]
        assert bid < ask and col["best_bid_size"][i] > 0 and col["best_ask_size"][i] > 0
        assert col["mid"][i] == (bid + ask) * 0.5
        assert col["spread"][i] == ask - bid
        assert col["spread_bps"][i] == pytest.approx((ask - bid) / col["mid"][i] * 1e4)

    # The study's series keeps the last update of each venue time: the same values, computed
    # by the study's own replay of the book.
    series = read_series(sim_recording, SIGNAL_NAMES)
    last_at = {r: i for i, r in enumerate(recv)}
    for n in range(0, len(series), 97):
        i = last_at[series.recv_ns[n]]
        assert col["mid"][i] == series.mids[n]
        for name in SIGNAL_NAMES:
            assert col[name][i] == series.values[name][n], name


def test_export_reads_the_depth_setting(
    sim_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = {}
    for depth in ("1", "10"):
        target = tmp_path / f"d{depth}.parquet"
        code, _, err = run(
            capsys, "export", str(sim_recording), "--to", str(target), "--set", f"depth={depth}"
        )
        assert code == 0, err
        tables[depth] = pq.read_table(target)
    top1 = tables["1"].column("ratio").to_pylist()
    bid_size = tables["1"].column("best_bid_size").to_pylist()
    ask_size = tables["1"].column("best_ask_size").to_pylist()
    expected = [b / a for b, a in zip(bid_size, ask_size, strict=True)]
    assert top1 == pytest.approx(expected, rel=1e-9)  # the book's depth sums are incremental
    assert top1 != tables["10"].column("ratio").to_pylist()


def test_report_parquet_holds_the_round_trips_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l2.sqlite"
    nets = [Decimal("1.25"), Decimal("-0.97335709"), Decimal("2.123456789012"), Decimal("-3")]
    asyncio.run(
        write_session_async(db, "p1", trips_from_nets(nets, T0 + HOUR, HOUR), [(T0, T0 + 9 * HOUR)])
    )
    target = tmp_path / "trips.parquet"
    code, out, err = run(
        capsys, "report", "--session", "p1", "--db", str(db), "--format", "parquet", "--to",
        str(target),
    )  # fmt: skip
    assert code == 0, err
    assert "4 round trips of session 'p1'" in out
    table = pq.read_table(target)
    assert tuple(table.column_names) == ROUND_TRIP_COLUMNS
    with SessionReader(db) as reader:
        trips = reader.round_trips("p1")
    assert [t.net_pnl for t in trips] == nets
    for name in ("quantity", "entry_price", "exit_price", "gross_pnl", "fees", "net_pnl"):
        assert table.column(name).to_pylist() == [getattr(t, name) for t in trips], name
        assert all(isinstance(v, Decimal) for v in table.column(name).to_pylist())
    assert table.column("number").to_pylist() == [1, 2, 3, 4]
    assert table.column("side").to_pylist() == [
        "long" if t.side.value == "BUY" else "short" for t in trips
    ]
    opened = table.column("opened").cast(pa.int64()).to_pylist()
    closed = table.column("closed").cast(pa.int64()).to_pylist()
    assert opened == [t.opened_wall_ns for t in trips]
    assert closed == [t.closed_wall_ns for t in trips]
    assert table.column("hold_seconds").to_pylist() == [t.hold_ns / 1e9 for t in trips]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "--format parquet writes a file: add --to FILE.parquet"),
        (("--to", "x.parquet", "--daily"), "--format parquet holds the round trips"),
    ],
)
def test_report_parquet_mistakes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], message: str
) -> None:
    args = ("report", "--session", "p1", "--db", str(tmp_path / "none.sqlite"))
    code, _, err = run(capsys, *args, "--format", "parquet", *extra)
    assert code == 2 and message in err and "Traceback" not in err


def test_without_pyarrow_each_command_says_how_to_install_it(
    sim_recording: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    code, _, err = run(capsys, "export", str(sim_recording), "--to", str(tmp_path / "f.parquet"))
    assert code == 2
    assert err.strip() == "l2console: Parquet files need pyarrow: pip install 'l2console[parquet]'"
    assert not (tmp_path / "f.parquet").exists()


def test_report_to_writes_any_format_to_a_file(
    sample_database: Path, sample_outputs: dict[str, str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    target = tmp_path / "report.txt"
    args = ("report", "--session", NAME, "--db", str(sample_database), "--to", str(target))
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out == ""
    assert target.read_text(encoding="utf-8") == sample_outputs["report"]
