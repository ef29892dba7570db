"""Read-only snapshots of the engine for the console and the headless printer.

Built on demand at display rate (a few times a second), never per book update.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from core.enums import BookState, Mode
from core.events import Level, Signal
from core.latency import LatencySnapshot, LatencySummary
from core.ledger import Position
from core.trading_state import ACTIVE, TradingStatus


class KillSwitchPhase(Enum):
    IDLE = "idle"  # not engaged
    FLATTENING = "flattening"  # cancelling and closing, waiting for the venue to confirm
    FLAT = "flat"  # engaged, venue confirmed no position and no open order
    FAILED = "failed"  # engaged, could not confirm flat: ``detail`` says what is still open


@dataclass(frozen=True, slots=True)
class KillSwitchStatus:
    phase: KillSwitchPhase = KillSwitchPhase.IDLE
    detail: str = ""

    @property
    def engaged(self) -> bool:
        return self.phase is not KillSwitchPhase.IDLE


@dataclass(frozen=True, slots=True)
class BookView:
    product: str
    state: BookState
    seq: int
    best_bid: float | None
    best_ask: float | None
    mid: float | None
    spread_bps: float | None
    ratio: float
    bids: tuple[Level, ...] = ()
    asks: tuple[Level, ...] = ()
    bid_count: int = 0
    ask_count: int = 0


@dataclass(frozen=True, slots=True)
class FeedCounters:
    """What the engine saw of the feed (drops are counted, never silent)."""

    frames: int = 0
    snapshots: int = 0
    resyncs: int = 0
    gaps: int = 0
    crossed: int = 0
    duplicates: int = 0  # sent again by the venue on a book in sequence (``BookCounters.repeated``)
    buffer_overflows: int = 0  # deltas dropped while a book waited too long for its snapshot
    dropped_frames: int = 0
    reconnects: int = 0
    unknown_product: int = 0
    decisions_skipped: int = 0  # book updates that arrived while an order/commit was in flight
    stale_silence: int = 0  # LIVE -> STALE: nothing arrived for WEBSOCKET_TIMEOUT_SECONDS
    stale_lag: int = 0  # LIVE -> STALE: venue timestamps lagged beyond MAX_BOOK_LAG_SECONDS
    resync_retries: int = 0  # resyncs asked again because no snapshot came
    ledger_corrections: int = 0  # live: the ledger disagreed with the venue and followed it
    observers_detached: int = 0  # observers detached after an error (core.observer)


@dataclass(frozen=True, slots=True)
class EngineState:
    venue: str
    symbol: str
    mode: Mode
    paused: bool
    kill_switch: KillSwitchStatus
    book: BookView
    position: Position
    mark_price: Decimal | None
    unrealized_pnl: Decimal
    realized_pnl: Decimal  # gross, this run's ledger
    fees_paid: Decimal
    signals_total: int
    trades_executed: int
    round_trips: int
    blocked_total: int
    ignored_total: int
    blocked_by_reason: dict[str, int]
    recent_signals: tuple[Signal, ...]
    latency: LatencySummary
    counters: FeedCounters
    wall_ns: int
    started_wall_ns: int
    notices: tuple[str, ...] = field(default=())
    # tick_to_decision, decision_to_order, order_to_ack (``core.latency`` names): copies taken
    # when this state was built, for the console's small histograms and the store.
    latency_breakdown: Mapping[str, LatencySnapshot] = field(default_factory=dict)
    trading: TradingStatus = ACTIVE  # ACTIVE / REDUCING / HALTED and why (``core.trading_state``)
    store_failed: bool = False  # the session store stopped recording: the run is stopping

    @property
    def net_pnl(self) -> Decimal:
        return self.realized_pnl - self.fees_paid + self.unrealized_pnl
