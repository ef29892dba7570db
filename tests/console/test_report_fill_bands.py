"""Fill bands in the stored report, through a real SQLite file: each run's latest snapshot,
summed over runs exactly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from console.report import build_report, render_report
from console.report.bands import band_lines
from core.enums import Side
from core.events import RoundTrip
from core.fill_bands import DEFAULT, OPTIMISTIC, PESSIMISTIC, BandResult, ExecutionModel
from core.store import BandTotals, SessionReader, SessionStore
from tests.core.store.builders import PRODUCT, FakeClock, spec

D = Decimal


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "l2console.db"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def trip(net: str) -> RoundTrip:
    return RoundTrip(
        PRODUCT, Side.BUY, D("0.01"), D(100), D(101), D(net) + D("0.1"), D("0.1"), D(net), 1, 2
    )


def band(model: ExecutionModel, *nets: str, open_quantity: str = "0", short: int = 0):
    return BandResult(model, tuple(trip(n) for n in nets), D(open_quantity), len(nets) * 2, short)


async def run_with_bands(path: Path, clock: FakeClock, *snapshots: tuple[BandResult, ...]) -> None:
    """One run; each snapshot (default, then the bands) is recorded as the session would."""
    async with await SessionStore.open(path, spec("banded"), clock=clock) as store:
        for default, *bands in snapshots:
            store.record_fill_bands(default, bands, clock())
            clock.advance(60)


async def test_bands_keep_the_last_snapshot_of_each_run_and_sum_runs_exactly(
    db_path: Path, clock: FakeClock
) -> None:
    await run_with_bands(
        db_path,
        clock,
        (band(DEFAULT, "0.1"), band(PESSIMISTIC), band(OPTIMISTIC, "0.2")),  # replaced below
        (
            band(DEFAULT, "0.1", "0.2"),
            band(PESSIMISTIC, "-0.3", open_quantity="0.01", short=1),
            band(OPTIMISTIC, "0.2", "0.3"),
        ),
    )
    await run_with_bands(db_path, clock)  # a run that recorded no bands (live, or older)
    await run_with_bands(
        db_path,
        clock,
        (band(DEFAULT, "0.7"), band(PESSIMISTIC, "0.4"), band(OPTIMISTIC, "0.8")),
    )

    with SessionReader(db_path) as reader:
        data = reader.report_data("banded")
    assert data.fill_bands == (
        BandTotals("pessimistic", "+250 ms, +2.0 bps", 2, 2, D("0.1"), 1, 1),
        BandTotals("default", "as the default", 2, 3, D("1.0"), 0, 0),
        BandTotals("optimistic", "-1.0 bps", 2, 3, D("1.3"), 0, 0),
    )
    text = render_report(data, fmt="text")
    assert "Fill Bands (the same decisions, filled worse / better; 2 of 3 runs):" in text
    assert "pessimistic: 1 run(s) ended holding a position (its trade is not counted)" in text
    assert "pessimistic: 1 order(s) could not fill completely" in text


async def test_bands_that_filled_differently_are_not_added_together(
    db_path: Path, clock: FakeClock
) -> None:
    slower = ExecutionModel("pessimistic", latency_ms=500.0, extra_slippage_bps=D(2))
    await run_with_bands(db_path, clock, (band(DEFAULT, "1"), band(PESSIMISTIC, "0.5")))
    await run_with_bands(db_path, clock, (band(DEFAULT, "2"), band(slower, "0.25")))

    with SessionReader(db_path) as reader:
        data = reader.report_data("banded")
    assert [(b.model, b.execution, b.net_pnl) for b in data.fill_bands] == [
        ("pessimistic", "+250 ms, +2.0 bps", D("0.5")),
        ("default", "as the default", D(3)),
        ("pessimistic", "+500 ms, +2.0 bps", D("0.25")),
    ]
    assert build_report(data).data.fill_bands == data.fill_bands


async def test_a_session_without_bands_says_so(db_path: Path, clock: FakeClock) -> None:
    await run_with_bands(db_path, clock)
    with SessionReader(db_path) as reader:
        text = render_report(reader.report_data("banded"), fmt="text")
    assert "Fill Bands (the same decisions, filled worse / better): not recorded" in text


def test_a_run_shows_the_same_trade_count_in_every_band_and_why_one_could_not_fill() -> None:
    late = ExecutionModel("late", latency_ms=100.0)
    default = BandResult(DEFAULT, (trip("0.1"),), D(0), 2, 0, trades=1, carried_in=1)
    worse = BandResult(late, (), D(0), 1, 1, trades=1, unfilled_entries=1)
    lines = band_lines(default, (worse,))
    assert all(line.endswith("over 1 trade") for line in lines[1:3])
    assert lines[3:] == [
        "  late: 1 of the 1 trade not filled: the entry found no book to fill against (+100 ms)",
        "  1 round trip closed a position opened before this run: in the run's P&L, in no band",
    ]
