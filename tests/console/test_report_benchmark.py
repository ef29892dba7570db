"""The benchmark's sample database is a real session the report can read (no timing asserted)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from console.report import render_report
from console.report.benchmark import build_sample_database, main, time_report
from core.store import SessionReader


def test_the_sample_database_holds_what_it_promises(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    build_sample_database(path, round_trips=300, days=4, seed=1)
    with SessionReader(path) as reader:
        data = reader.report_data("bench")
        fills = reader.fills("bench")
        points = reader.equity_points("bench")
    assert len(data.round_trips) == 300
    assert len(fills) == 600
    assert len(data.runs) >= 2
    assert data.signal_outcomes["acted"] == 600
    assert data.signal_outcomes["blocked"] > 0
    assert len(points) > 3 * 24 * 60  # one a minute over the covered time
    assert all(p.is_flat for p in data.positions.values())
    net = sum((t.net_pnl for t in data.round_trips), Decimal(0))
    assert net == data.realized_pnl - data.fees_paid  # the stored ledger agrees with the trips
    assert render_report(data).startswith("FINAL PAPER TRADING REPORT - Session: bench\n")
    timing = time_report(path)
    assert timing.round_trips == 300


def test_the_benchmark_refuses_to_resume_an_existing_database(tmp_path: Path) -> None:
    existing = tmp_path / "bench.db"
    existing.write_bytes(b"")
    assert main(["--db", str(existing), "--round-trips", "10"]) == 2
