"""The report's text: the guide's block word for word, and what follows it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from console.report import render_report
from core.enums import Mode
from core.ledger import Position
from core.store import ReportData, RunEnd, RunRecord, SessionInfo
from tests.console.report_sessions import (
    DAY,
    HOUR,
    T0,
    guide_session,
    read,
    trips_from_nets,
    write_session,
)

D = Decimal

GUIDE_BLOCK = """\
FINAL PAPER TRADING REPORT - Session: 60days_kraken
Days Running: 60.2 / 60 days required
Total Trades: 347
Winning Trades: 189
Losing Trades: 158
Win Rate: 54.47% (Target: >50%)
Total P&L: $4,235.67
Avg Win: $64.70
Avg Loss: -$50.58
Profit Factor: 1.53 (Target: >1.0)
Max Drawdown: $487.32

Gate 5→6 Requirements:
  [✓] 60 days completed: 60.2 days
  [✓] Win rate >50%: 54.47%
  [✓] Profit factor >1.0: 1.53
  [✓] At least 100 trades: 347
✓ ALL GATE 5→6 REQUIREMENTS MET - READY FOR LIVE TRADING
"""


def in_memory(
    nets: list[Decimal], covered_days: Decimal, *, mode: Mode = Mode.PAPER, name: str = "s"
) -> ReportData:
    """A snapshot built directly (the renderer is pure; the store path is tested above)."""
    session = SessionInfo(1, name, "kraken", "PF_XBTUSD", mode, {}, T0)
    end = T0 + int(covered_days * DAY)
    run = RunRecord(1, 1, T0, end, end, RunEnd.COMPLETED, "host", 1)
    trips = trips_from_nets(nets, T0 + HOUR, max(1, (end - T0 - 2 * HOUR) // max(1, len(nets))))
    return ReportData(
        session, (run,), tuple(trips), (), {"acted": 0, "blocked": 0, "ignored": 0}, {}, D(0), D(0)
    )


def test_the_report_opens_with_the_guides_block_and_every_requirement_it_judges(
    tmp_path: Path,
) -> None:
    text = render_report(guide_session(tmp_path / "l2.db"))
    assert text.startswith(GUIDE_BLOCK + "\n")


def test_the_guides_averages_print_as_in_the_guide() -> None:
    text = render_report(in_memory([D("45.23")] * 189 + [D("-32.18")] * 158, D("60.2")))
    lines = text.splitlines()
    assert "Avg Win: $45.23" in lines
    assert "Avg Loss: -$32.18" in lines
    assert "Total P&L: $3,464.03" in lines  # what those averages add up to
    assert "Profit Factor: 1.68 (Target: >1.0)" in lines


def test_the_block_follows_with_confidence_details_and_the_curve(tmp_path: Path) -> None:
    text = render_report(guide_session(tmp_path / "l2.db"))
    after = text[len(GUIDE_BLOCK) :].splitlines()
    assert after[:4] == [
        "",
        "Confidence (95%):",
        "  Win rate 95% interval 49.2%–59.6% still includes 50%: "
        "not yet distinguishable from chance",
        "  Profit factor 95% interval 1.24–1.88 is above 1.0",
    ]
    assert "  Covered: 60.2 days in 2 runs, 1 gap not counted" in after
    assert "    gap 2024-07-01 00:00 → 2024-07-02 00:00 UTC (1d)" in after
    assert "  Longest Losing Streak: 9" in after
    assert "  Signals: 694 acted, 0 blocked, 0 ignored" in after
    assert "Equity Curve (cumulative net P&L over 347 round trips):" in after
    assert "\x1b" not in text  # plain text: fine in a pipe, a log file and a 16-colour terminal


def test_a_session_that_is_not_ready_says_what_is_missing() -> None:
    nets = [D("10")] * 18 + [D("-12.50")] * 22  # 45 % wins, PF 180/275
    text = render_report(in_memory(nets, D("12.39")))
    block = text.split("\n\nConfidence")[0]
    assert block.splitlines()[-6:] == [
        "Gate 5→6 Requirements:",
        "  [✗] 60 days completed: 12.3 days",
        "  [✗] Win rate >50%: 45.00%",
        "  [✗] Profit factor >1.0: 0.65",
        "  [✗] At least 100 trades: 40",
        "✗ GATE 5→6 REQUIREMENTS NOT MET - missing: 60 days completed (12.3 days), "
        "Win rate >50% (45.00%), Profit factor >1.0 (0.65), At least 100 trades (40)",
    ]
    assert "  [✗] At least 100 trades: 40" in text.splitlines()


def test_days_are_rounded_down_so_the_clock_never_claims_a_day_not_run() -> None:
    text = render_report(in_memory([D("1")] * 150, D("59.99")))
    assert "Days Running: 59.9 / 60 days required" in text
    assert "  [✗] 60 days completed: 59.9 days" in text


def test_zero_trades_print_without_dividing_by_zero() -> None:
    text = render_report(in_memory([], D("1.5")))
    lines = text.splitlines()
    assert lines[2:11] == [
        "Total Trades: 0",
        "Winning Trades: 0",
        "Losing Trades: 0",
        "Win Rate: n/a (Target: >50%)",
        "Total P&L: $0.00",
        "Avg Win: n/a",
        "Avg Loss: n/a",
        "Profit Factor: n/a (Target: >1.0)",
        "Max Drawdown: $0.00",
    ]
    assert "  No round trips yet: nothing to estimate" in lines
    assert "Equity Curve: no round trips yet" in lines


def test_no_losses_show_an_infinite_profit_factor() -> None:
    text = render_report(in_memory([D("2")] * 120, D("61")))
    assert "Profit Factor: ∞ (Target: >1.0)" in text
    assert "  [✓] Profit factor >1.0: ∞" in text
    assert "Avg Loss: n/a" in text
    assert "✓ ALL GATE 5→6 REQUIREMENTS MET - READY FOR LIVE TRADING" in text


def test_a_live_session_is_judged_by_gate_6_to_7() -> None:
    text = render_report(in_memory([D("3")] * 10 + [D("-2")] * 10, D("30.5"), mode=Mode.LIVE))
    lines = text.splitlines()
    assert lines[0] == "FINAL LIVE TRADING REPORT - Session: s"
    assert lines[1] == "Days Running: 30.5 / 30 days required"
    assert lines[12:16] == [
        "Gate 6→7 Requirements:",
        "  [✓] 30 days completed: 30.5 days",
        "  [✓] Break-even or better: $10.00",
        "✓ ALL GATE 6→7 REQUIREMENTS MET - READY TO SCALE UP",
    ]


def test_daily_rows_show_covered_hours_so_gaps_are_visible(tmp_path: Path) -> None:
    path = tmp_path / "l2.db"
    trips = trips_from_nets([D("5"), D("-2"), D("1")], T0 + 2 * HOUR, 2 * DAY)
    runs = [(T0, T0 + 12 * HOUR), (T0 + 2 * DAY + 6 * HOUR, T0 + 4 * DAY + 6 * HOUR)]
    write_session(path, "gappy", [trips[0], trips[2]], runs)
    text = render_report(read(path, "gappy"), period="daily")
    assert text.splitlines() == [
        "DAILY RESULTS (UTC) - Session: gappy",
        "Period      Covered  Trades  Wins  Win Rate  Net P&L   Fees  Cumulative",
        "2024-06-01    12.0h       1     1   100.00%    $5.00  $0.10       $5.00",
        "2024-06-02     0.0h       0     0       n/a    $0.00  $0.00       $5.00",
        "2024-06-03    18.0h       0     0       n/a    $0.00  $0.00       $5.00",
        "2024-06-04    24.0h       0     0       n/a    $0.00  $0.00       $5.00",
        "2024-06-05     6.0h       1     1   100.00%    $1.00  $0.10       $6.00",
    ]


def test_weekly_rows_follow_iso_weeks(tmp_path: Path) -> None:
    path = tmp_path / "l2.db"
    trips = trips_from_nets([D("5"), D("-2")], T0 + HOUR, 3 * DAY)  # Saturday, then Tuesday
    write_session(path, "weekly", trips, [(T0, T0 + 5 * DAY)])
    lines = render_report(read(path, "weekly"), period="weekly").splitlines()
    assert [line.split()[:4] for line in lines[2:]] == [
        ["2024-W22", "48.0h", "1", "1"],  # Monday 27 May .. Sunday 2 June: the run began Saturday
        ["2024-W23", "72.0h", "1", "0"],
    ]


@pytest.mark.parametrize("fmt", ["xml", ""])
def test_an_unknown_format_is_a_clear_error(fmt: str) -> None:
    with pytest.raises(ValueError, match="use text, json or csv"):
        render_report(in_memory([], D(1)), fmt=fmt)  # type: ignore[arg-type]


def test_a_session_with_a_run_still_open_is_interim_not_final() -> None:
    data = in_memory([D("1")] * 3, D("2"))
    run = data.runs[0]
    running = replace(data, runs=(replace(run, ended_ns=None, how_ended=None),))
    first = render_report(running).splitlines()[0]
    assert first.startswith("INTERIM PAPER TRADING REPORT (a run is still open; as of ")
    assert first.endswith(" UTC) - Session: s")
    assert "FINAL" not in render_report(running)
    assert render_report(data).startswith("FINAL PAPER TRADING REPORT - Session: s\n")


def test_trades_per_day_are_never_extrapolated_from_minutes() -> None:
    twenty_minutes = D(20) / D(24 * 60)
    text = render_report(in_memory([D("1")] * 12, twenty_minutes))
    assert "  Trades per Day: n/a (12 trades in 20m covered: under a day, not extrapolated)" in (
        text.splitlines()
    )
    assert "  Trades per Day: 4.00" in render_report(in_memory([D("1")] * 12, D(3))).splitlines()


def test_the_open_position_prints_at_the_instruments_precision() -> None:
    data = in_memory([D("1")], D("2"))
    average = Position("PF_XBTUSD", D("0.0044"), D("43499.2500000000"), 1, D("0.1"))
    held = replace(data, positions={"PF_XBTUSD": average}, price_decimals=1)
    assert "  Open Position: +0.0044 PF_XBTUSD @ 43499.2" in render_report(held).splitlines()


def test_the_store_reads_the_price_precision_from_the_recorded_fills(tmp_path: Path) -> None:
    assert guide_session(tmp_path / "l2.db").price_decimals == 2  # fills at 164.80, 100, ...
