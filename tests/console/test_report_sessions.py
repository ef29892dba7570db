"""``l2console sessions`` and the terminal equity curve."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from console.report import render_sessions
from console.report.chart import equity_curve
from core.enums import Mode
from core.store import SessionReader, SessionSpec, SessionStore
from tests.console.report_sessions import DAY, HOUR, T0, trips_from_nets, write_session_async

D = Decimal


async def test_the_session_list_shows_each_session_and_a_running_one(tmp_path: Path) -> None:
    path = tmp_path / "l2.db"
    trips = trips_from_nets([D("1250.50"), D("-10")] * 3, T0 + HOUR, 6 * HOUR)
    runs = [(T0, T0 + 2 * DAY), (T0 + 3 * DAY, T0 + 4 * DAY)]
    await write_session_async(path, "60days_kraken", trips, runs)
    await write_session_async(path, "live_micro", [], [(T0, T0 + HOUR)], mode=Mode.LIVE)
    running = await SessionStore.open(
        path, SessionSpec("binance_try", "binance_us", "BTCUSDT", Mode.PAPER), clock=lambda: T0
    )
    try:
        with SessionReader(path) as reader:
            text = render_sessions(reader.summaries())
    finally:
        await running.close()

    assert text.splitlines() == [
        "Session        Venue       Symbol     Mode   Days  Trades    Net P&L  Last Run (UTC)",
        "60days_kraken  kraken      PF_XBTUSD  PAPER   3.0       6  $3,721.50  "
        "2024-06-05 00:00 completed",
        "binance_try    binance_us  BTCUSDT    PAPER   0.0       0      $0.00  "
        "running? last seen 2024-06-01 00:00",
        "live_micro     kraken      PF_XBTUSD  LIVE    0.0       0      $0.00  "
        "2024-06-01 01:00 completed",
    ]


def test_an_empty_database_says_how_to_start() -> None:
    assert "l2console paper --session NAME" in render_sessions([])


def test_the_curve_is_plain_text_ending_at_the_final_value() -> None:
    values = [D(i) for i in range(1, 201)]  # climbs steadily to 200
    rows = equity_curve(values, width=40, height=4, first_label="2024-06-01", last_label="07-30")
    assert rows[0].startswith("$200.00 ┤")
    assert rows[3].startswith("  $0.00 ┤")
    assert rows[0].endswith("█")  # the last column reaches the top
    assert rows[4] == "        └" + "─" * 40
    assert rows[5].strip().startswith("2024-06-01") and rows[5].endswith("07-30")
    assert all(len(row) <= 9 + 1 + 40 for row in rows)
    assert not any("\x1b" in row for row in rows)


def test_a_losing_curve_goes_below_zero() -> None:
    rows = equity_curve([D(-5), D(-10), D(-2)], height=2)
    assert rows[0].startswith("  $0.00 ┤")
    assert rows[1].startswith("-$10.00 ┤")
    assert rows[1][-2] == "▁"  # the lowest point is still drawn, one eighth high


def test_no_values_draw_nothing() -> None:
    assert equity_curve([]) == []
