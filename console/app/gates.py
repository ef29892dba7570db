"""What the gate-progress pane shows, as a small read-only view the paper store fills in.

The console never computes statistics: a ``GateSource`` (the paper store's reader, connected by
the composition root) answers ``GateProgress`` for the running session, or ``None`` when the run
has no paper session. The pane polls it about once a second, never per book update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class GateProgress:
    """Where a paper session stands against its promotion gate (e.g. gate 5→6).

    ``win_rate_pct`` and ``profit_factor`` are ``None`` until there is a round trip to judge
    (a profit factor with no losing trade is ``float('inf')``). ``verdict`` is the report's own
    words (``READY FOR LIVE TRADING`` / ``NOT MET: ...``); ``ready`` is true only when every
    requirement holds.
    """

    gate: str  # "Gate 5→6"
    session: str
    days_covered: float
    days_required: float
    win_rate_pct: float | None
    win_rate_target_pct: float  # the win rate must be above this
    profit_factor: float | None
    profit_factor_target: float  # the profit factor must be above this
    trades: int
    trades_minimum: int
    ready: bool
    verdict: str

    @property
    def days_met(self) -> bool:
        return self.days_covered >= self.days_required

    @property
    def win_rate_met(self) -> bool:
        return self.win_rate_pct is not None and self.win_rate_pct > self.win_rate_target_pct

    @property
    def profit_factor_met(self) -> bool:
        return self.profit_factor is not None and self.profit_factor > self.profit_factor_target

    @property
    def trades_met(self) -> bool:
        return self.trades >= self.trades_minimum


class GateSource(Protocol):
    """Answers the running session's gate progress; ``None``: this run has no paper session."""

    async def gate_progress(self) -> GateProgress | None: ...


class NoPaperSession:
    """The gate source of a run that records nothing (dry run, live without a session)."""

    async def gate_progress(self) -> GateProgress | None:
        return None


class FixedGate:
    """A gate source that always answers the same progress (demos, scenes, tests)."""

    def __init__(self, progress: GateProgress | None) -> None:
        self.progress = progress

    async def gate_progress(self) -> GateProgress | None:
        return self.progress
