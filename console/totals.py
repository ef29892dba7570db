"""This run's numbers and the session's, kept apart.

A resumed session's engine continues the session's ledger: its realized P&L and fees are the
session's, while its counters (round trips, signals, trades) start at zero with the process.
Mixing the two printed ``Round Trips: 2 | ... Net P&L: -$0.90`` over a run whose trades made
-$0.24. ``SessionBase`` is what the session had booked before this run (from the store's
``ResumeState``); with it every screen shows both, each adding up on its own:
``this run = engine now - base`` for money, ``session = base + this run`` for counts.

Net P&L here is closed trades and fees (realized - fees); the open position's unrealized P&L is
shown beside the position, once, because it belongs to neither total until it is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.engine_state import EngineState
from core.store import ResumeState


@dataclass(frozen=True, slots=True)
class Totals:
    """Round trips closed, gross realized P&L and fees paid, over one scope."""

    round_trips: int
    realized_pnl: Decimal
    fees: Decimal

    @property
    def net_pnl(self) -> Decimal:
        return self.realized_pnl - self.fees


@dataclass(frozen=True, slots=True)
class SessionBase:
    """What a resumed session had booked before this run started."""

    round_trips: int
    realized_pnl: Decimal
    fees: Decimal
    signals: int  # numbered before this run (the numbering continues)

    @classmethod
    def of(cls, resume: ResumeState | None) -> SessionBase | None:
        """None for no session, or a new one: then this run *is* the session."""
        if resume is None or not resume.resumed:
            return None
        return cls(
            round_trips=resume.round_trips,
            realized_pnl=resume.realized_pnl,
            fees=resume.fees_paid,
            signals=resume.next_signal_number - 1,
        )


def this_run(state: EngineState, base: SessionBase | None) -> Totals:
    if base is None:
        return Totals(state.round_trips, state.realized_pnl, state.fees_paid)
    return Totals(
        state.round_trips, state.realized_pnl - base.realized_pnl, state.fees_paid - base.fees
    )


def session(state: EngineState, base: SessionBase | None) -> Totals:
    if base is None:
        return this_run(state, None)
    return Totals(base.round_trips + state.round_trips, state.realized_pnl, state.fees_paid)


def session_signals(state: EngineState, base: SessionBase | None) -> int:
    return state.signals_total + (base.signals if base is not None else 0)
