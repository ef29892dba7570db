"""``--format json`` (stable, documented keys, exact money) and ``--format csv`` (parses back)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from console.report import render_report
from core.ledger import Position
from core.store import ReportData
from tests.console.report_sessions import guide_session
from tests.console.test_report_text import in_memory

KEYS_DOC = Path(__file__).resolve().parents[2] / "README.md"  # the keys are documented there

EXPECTED_KEYS = {
    "schema_version", "session", "session.name", "session.venue", "session.symbol",
    "session.mode", "session.created_utc", "session.final", "session.parameters",
    "session.parameters.entry_ratio",
    "gate_clock", "gate_clock.days_covered", "gate_clock.calendar_days", "gate_clock.first_utc",
    "gate_clock.last_utc", "gate_clock.runs", "gate_clock.runs[].started_utc",
    "gate_clock.runs[].covered_until_utc", "gate_clock.runs[].how_ended", "gate_clock.gaps",
    "gate_clock.gaps[].start_utc", "gate_clock.gaps[].end_utc", "gate_clock.gaps[].hours",
    "trades", "trades.total", "trades.wins", "trades.losses", "trades.flat", "trades.per_day",
    "trades.longest_losing_streak", "trades.long", "trades.long.trades", "trades.long.wins",
    "trades.long.net_pnl", "trades.short", "trades.short.trades", "trades.short.wins",
    "trades.short.net_pnl", "win_rate", "win_rate_interval", "profit_factor",
    "profit_factor_interval", "pnl", "pnl.total", "pnl.gross", "pnl.average",
    "pnl.average_win", "pnl.average_loss", "pnl.gross_wins", "pnl.gross_losses",
    "pnl.max_drawdown", "pnl.fees_paid", "avg_slippage_bps", "signals", "signals.acted",
    "signals.blocked", "signals.ignored", "fill_bands", "fill_bands[].model",
    "fill_bands[].execution", "fill_bands[].runs", "fill_bands[].trades", "fill_bands[].net_pnl",
    "fill_bands[].runs_ended_open", "fill_bands[].short_orders", "open_positions", "gate",
    "gate.name", "gate.ready",
    "gate.requirements", "gate.requirements[].name", "gate.requirements[].threshold",
    "gate.requirements[].actual", "gate.requirements[].met", "gate.missing", "gate.confidence",
    "daily", "daily[].period", "daily[].start_utc", "daily[].covered_hours", "daily[].trades",
    "daily[].wins", "daily[].net_pnl", "daily[].fees", "daily[].cumulative_pnl", "weekly",
    "weekly[].period", "weekly[].start_utc", "weekly[].covered_hours", "weekly[].trades",
    "weekly[].wins", "weekly[].net_pnl", "weekly[].fees", "weekly[].cumulative_pnl",
}  # fmt: skip


def key_paths(value: object, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | key_paths(inner, path)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        paths |= key_paths(value[0], f"{prefix}[]")
    return paths


@pytest.fixture(scope="module")
def guide_data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    return guide_session(tmp_path_factory.mktemp("guide") / "l2.db")


def test_json_keys_are_the_documented_stable_set(guide_data: ReportData) -> None:
    report = json.loads(render_report(guide_data, fmt="json"))
    assert key_paths(report) == EXPECTED_KEYS
    empty = json.loads(render_report(in_memory([], Decimal(0)), fmt="json"))
    assert set(empty) == set(report)  # the same top-level keys with nothing to say
    doc = KEYS_DOC.read_text(encoding="utf-8")
    parents = {p.rsplit(".", 1)[0].removesuffix("[]") for p in EXPECTED_KEYS if "." in p}
    for path in EXPECTED_KEYS - parents - {"session.parameters.entry_ratio"}:
        last = path.rsplit(".", 1)[-1]
        spelled = (f"`{path}`", f"`{path}[]`", f".{last}`", f"`{last}`")
        assert any(spelling in doc for spelling in spelled), path


def test_json_carries_exact_money_and_the_verdict(guide_data: ReportData) -> None:
    report = json.loads(render_report(guide_data, fmt="json"))
    assert report["trades"]["total"] == 347
    assert report["pnl"]["total"] == "4235.67"
    assert report["pnl"]["max_drawdown"] == "487.32"
    assert report["pnl"]["average_win"] == "64.69576720"
    assert report["win_rate"] == pytest.approx(189 / 347)
    assert report["profit_factor"] == pytest.approx(12227.50 / 7991.83)
    assert report["gate"]["ready"] is True
    assert report["gate"]["missing"] == []
    assert report["gate_clock"]["days_covered"] == pytest.approx(60.2)
    assert [gap["hours"] for gap in report["gate_clock"]["gaps"]] == [24.0]
    assert len(report["daily"]) == 62
    assert report["daily"][-1]["cumulative_pnl"] == "4235.67"


def test_json_spells_out_infinity_and_nothing() -> None:
    no_losses = json.loads(render_report(in_memory([Decimal(2)] * 3, Decimal(1)), fmt="json"))
    assert no_losses["profit_factor"] == "inf"
    assert no_losses["profit_factor_interval"] == ["inf", "inf"]
    assert no_losses["pnl"]["average_loss"] is None
    nothing = json.loads(render_report(in_memory([], Decimal(1)), fmt="json"))
    assert nothing["profit_factor"] is None
    assert nothing["win_rate"] is None
    assert nothing["gate"]["missing"] == ["days", "win_rate", "profit_factor", "min_trades"]


def test_csv_round_trips_parse_back_exactly(guide_data: ReportData) -> None:
    rows = list(csv.DictReader(io.StringIO(render_report(guide_data, fmt="csv"))))
    trips = guide_data.round_trips
    assert len(rows) == len(trips) == 347
    for row, trip in zip(rows, trips, strict=True):
        assert Decimal(row["net_pnl"]) == trip.net_pnl
        assert Decimal(row["gross_pnl"]) == trip.gross_pnl
        assert Decimal(row["exit_price"]) == trip.exit_price
        assert int(row["closed_ns"]) == trip.closed_wall_ns
        assert row["side"] == ("long" if trip.side.value == "BUY" else "short")
    assert sum(Decimal(row["net_pnl"]) for row in rows) == Decimal("4235.67")
    assert rows[0]["closed_utc"] == "2024-06-01T01:00:00.000000Z"
    assert rows[0]["hold_seconds"] == "60.000"


def test_csv_with_a_period_gives_the_period_rows(guide_data: ReportData) -> None:
    rows = list(csv.DictReader(io.StringIO(render_report(guide_data, fmt="csv", period="weekly"))))
    assert rows[0]["period"] == "2024-W22"
    assert sum(int(row["trades"]) for row in rows) == 347
    assert rows[-1]["cumulative_pnl"] == "4235.67"


def test_json_lists_an_open_position() -> None:
    data = in_memory([Decimal(1)], Decimal(1))
    position = Position("PF_XBTUSD", Decimal("-0.0023"), Decimal("43500.5"), 7, Decimal("0.05"))
    data = replace(data, positions={"PF_XBTUSD": position})
    report = json.loads(render_report(data, fmt="json"))
    assert report["open_positions"] == [
        {
            "product": "PF_XBTUSD",
            "quantity": "-0.0023",
            "entry_price": "43500.5",
            "opened_utc": "1970-01-01T00:00:00.000000Z",
        }
    ]
    assert "Open Position: -0.0023 PF_XBTUSD @ 43500.5" in render_report(data)
