"""A session's report, computed once from a store snapshot and rendered in several formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.enums import Mode
from core.gate_clock import Coverage, coverage
from core.gates import (
    GateReport,
    LiveGateThresholds,
    PaperGateThresholds,
    evaluate_live_gate,
    evaluate_paper_gate,
)
from core.ledger import Position
from core.stats import TradeStats, compute_stats
from core.store import ReportData


@dataclass(frozen=True, slots=True)
class GateSettings:
    """The gates' thresholds as the settings give them (defaults: the guide's)."""

    paper: PaperGateThresholds = field(default_factory=PaperGateThresholds)
    live: LiveGateThresholds = field(default_factory=LiveGateThresholds)


@dataclass(frozen=True, slots=True)
class SessionReport:
    data: ReportData
    clock: Coverage
    stats: TradeStats
    gate: GateReport
    settings: GateSettings

    @property
    def name(self) -> str:
        return self.data.session.name

    @property
    def is_live(self) -> bool:
        return self.data.session.mode is Mode.LIVE

    @property
    def open_positions(self) -> list[Position]:
        return [p for p in self.data.positions.values() if not p.is_flat]

    def cumulative_pnl(self) -> list[Decimal]:
        """Net P&L after each round trip, in closing order (the equity curve, realized)."""
        total = Decimal(0)
        curve = []
        for trip in self.data.round_trips:
            total += trip.net_pnl
            curve.append(total)
        return curve


def build_report(data: ReportData, settings: GateSettings | None = None) -> SessionReport:
    settings = settings or GateSettings()
    clock = coverage(run.span for run in data.runs)
    stats = compute_stats(data.round_trips, slippages_bps=data.slippages_bps, days=clock.days)
    if data.session.mode is Mode.LIVE:
        gate = evaluate_live_gate(stats, clock, settings.live)
    else:
        gate = evaluate_paper_gate(stats, clock, settings.paper)
    return SessionReport(data, clock, stats, gate, settings)
