"""What goes into the store and what comes back out of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Protocol

from core.enums import Mode, OrderType, Side
from core.events import RoundTrip
from core.gate_clock import Span

# The store keeps the ledger's own records: a position is a ``core.ledger.Position``.
from core.ledger import Position


class RunEnd(Enum):
    """How a run ended. A run with no recorded end is found ``crashed`` by the next open."""

    COMPLETED = "completed"  # its duration elapsed
    INTERRUPTED = "interrupted"  # Ctrl-C, SIGTERM, quit from the console
    HANGUP = "hangup"  # the terminal went away: SIGHUP, or output that could not be written
    CRASHED = "crashed"  # an error, or never closed (kill -9, power loss)


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """What a run asks for: a session by name, where it trades, and the settings it uses.

    ``parameters`` are the strategy and risk settings as this run uses them (JSON-serialisable;
    ``Decimal`` values are stored as strings). Never put keys or secrets here.
    """

    name: str
    venue: str
    symbol: str
    mode: Mode
    parameters: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    name: str
    venue: str
    symbol: str
    mode: Mode
    parameters: Mapping[str, object]
    created_ns: int


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One process's stretch of a session. ``how_ended`` is None while it is running."""

    id: int
    session_id: int
    started_ns: int
    ended_ns: int | None
    last_alive_ns: int
    how_ended: RunEnd | None
    host: str
    pid: int

    @property
    def covered_until_ns(self) -> int:
        """Where the gate clock stops for this run: its end, or the last sign of life."""
        return self.ended_ns if self.ended_ns is not None else self.last_alive_ns

    @property
    def span(self) -> Span:
        return Span(self.started_ns, max(self.started_ns, self.covered_until_ns))


@dataclass(frozen=True, slots=True)
class DayTally:
    """Today's (UTC) numbers for ``RiskManager.restore_day``.

    ``trades`` counts acted entry signals (BUY/SELL) of the day, as the risk manager's
    ``record_entry`` does; ``realized_pnl_usd`` sums the net P&L of round trips closed that day.
    """

    day: dt.date
    trades: int
    realized_pnl_usd: Decimal


@dataclass(frozen=True, slots=True)
class ResumeState:
    """Everything the engine needs to continue a session exactly where it stopped.

    ``positions`` holds the last recorded position of every product traded (flat ones included).
    ``runs`` are all runs of the session, oldest first, this one last; ``crashed_run_ids`` the
    earlier runs this open found without an end and marked crashed.
    """

    session: SessionInfo
    run_id: int
    resumed: bool
    positions: Mapping[str, Position]
    realized_pnl: Decimal
    fees_paid: Decimal
    next_signal_number: int
    today: DayTally
    runs: tuple[RunRecord, ...]
    crashed_run_ids: tuple[int, ...] = ()
    round_trips: int = 0  # closed before this run: the session's count goes on from here
    unsettled_orders: tuple[StoredOrder, ...] = ()  # sent, no final state: ask the venue (live)
    unsettled_fill_ids: frozenset[str] = frozenset()  # fills of those already stored
    merged_fills: int = 0  # fills a failed run kept in the fallback journal, stored at this start

    def position(self, product: str) -> Position:
        """The stored position of ``product``, flat when nothing was ever filled."""
        return self.positions.get(product) or Position(
            product, Decimal(0), Decimal(0), 0, Decimal(0)
        )

    @property
    def spans(self) -> tuple[Span, ...]:
        """The gate clock's input: what each run covered so far."""
        return tuple(run.span for run in self.runs)


@dataclass(frozen=True, slots=True)
class EquityPoint:
    """The account's P&L at one moment (USD, net of fees); ``position`` is signed."""

    wall_ns: int
    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    position: Decimal
    mark_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GateEvaluation:
    """A gate verdict as it was at ``wall_ns`` (``details`` is JSON-serialisable)."""

    wall_ns: int
    gate: str
    ready: bool
    details: Mapping[str, object]


class LatencyCounts(Protocol):
    """What the store reads from a ``core.latency.LatencyHistogram``."""

    count: int
    sum_ns: int
    min_ns: int
    max_ns: int

    def bucket_counts(self) -> list[tuple[int, int]]: ...


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """An order as recorded. ``status`` is an ``OrderStatus`` value, or ``SENT`` while the
    venue's answer is not recorded (after a crash: ask the venue what became of it)."""

    client_order_id: str
    signal_number: int | None
    product: str
    side: Side
    quantity: Decimal
    order_type: OrderType
    limit_price: Decimal | None
    reduce_only: bool
    status: str
    venue_order_id: str
    reason: str
    sent_ns: int
    updated_ns: int


@dataclass(frozen=True, slots=True)
class BandTotals:
    """One fill band (``core.fill_bands``) summed over the runs that recorded it."""

    model: str  # pessimistic | default | optimistic
    execution: str  # how it fills: "+250 ms, +2.0 bps"; "as the default" for the paper fills
    runs: int
    trades: int
    net_pnl: Decimal  # closed round trips, net of fees
    open_runs: int  # runs that ended with this band holding a position: not in net_pnl
    short_orders: int  # orders the book of that moment could not fill completely


@dataclass(frozen=True, slots=True)
class ReportData:
    """One consistent snapshot of what a report is computed from."""

    session: SessionInfo
    runs: tuple[RunRecord, ...]
    round_trips: tuple[RoundTrip, ...]
    slippages_bps: tuple[Decimal, ...]
    signal_outcomes: Mapping[str, int]  # SignalOutcome value -> count
    positions: Mapping[str, Position]
    realized_pnl: Decimal
    fees_paid: Decimal
    fill_bands: tuple[BandTotals, ...] = ()  # pessimistic, default, optimistic; () if never run
    price_decimals: int | None = None  # the instrument's, as its recorded fills show; None: none

    @property
    def running(self) -> bool:
        """A run without a recorded end: still trading (or crashed, not yet resumed)."""
        return any(run.how_ended is None for run in self.runs)


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A line of ``l2console sessions``."""

    session: SessionInfo
    runs: tuple[RunRecord, ...]
    trades: int
    net_pnl: Decimal

    @property
    def last_run(self) -> RunRecord | None:
        return self.runs[-1] if self.runs else None
