"""The engine as the screen sees it: an ``EngineState`` copied from the parts at display rate
(a few times a second), never per book update."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from core.clock import Clock
from core.engine.counters import EngineCounters
from core.engine.market_data import MarketData
from core.engine.mode import ModeSwitch
from core.engine.notices import NoticeBoard
from core.engine.positions import Positions
from core.engine.signals import SignalLog
from core.engine.trader import Trader
from core.engine_state import BookView, EngineState, FeedCounters, KillSwitchStatus
from core.events import SignalOutcome
from core.latency import DECISION_TO_ORDER, ORDER_TO_ACK, TICK_TO_DECISION, LatencyHistogram
from core.observer import ObserverFanout
from core.router import OrderRouter
from core.trading_state import Restriction, TradingGate


@dataclass(frozen=True, slots=True)
class EngineView:
    """The parts a display snapshot is copied from."""

    venue_name: str
    started_wall_ns: int
    clock: Clock
    market: MarketData
    trader: Trader
    signals: SignalLog
    positions: Positions
    router: OrderRouter
    mode: ModeSwitch
    trading: TradingGate
    kill_switch: Callable[[], KillSwitchStatus]
    counters: EngineCounters
    notices: NoticeBoard
    observers: ObserverFanout

    def latency_histograms(self) -> dict[str, LatencyHistogram]:
        """The live histograms by ``core.latency`` name (the store copies them)."""
        return {
            TICK_TO_DECISION: self.trader.latency,
            DECISION_TO_ORDER: self.router.decision_to_order,
            ORDER_TO_ACK: self.router.order_to_ack,
        }

    def state(self, depth: int = 10) -> EngineState:
        book = self.market.book
        bids, asks = book.top(depth)
        positions = self.positions
        ledger = positions.ledger
        mark = positions.mark_price() if ledger.position.quantity != 0 else None
        signals = self.signals
        breakdown = {name: h.snapshot() for name, h in self.latency_histograms().items()}
        return EngineState(
            venue=self.venue_name,
            symbol=positions.symbol,
            mode=self.mode.current,
            paused=self.trading.holds(Restriction.PAUSED),
            store_failed=self.trading.holds(Restriction.STORE_FAILED),
            kill_switch=self.kill_switch(),
            book=BookView(
                product=book.product,
                state=book.state,
                seq=book.seq,
                best_bid=book.best_bid,
                best_ask=book.best_ask,
                mid=book.mid,
                spread_bps=book.spread_bps,
                ratio=self.trader.ratio,
                bids=tuple(bids),
                asks=tuple(asks),
                bid_count=book.bid_count,
                ask_count=book.ask_count,
            ),
            position=ledger.position,
            mark_price=mark,
            unrealized_pnl=ledger.unrealized_pnl(mark) if mark is not None else Decimal(0),
            realized_pnl=ledger.realized_pnl,
            fees_paid=ledger.fees_paid,
            signals_total=signals.total,
            trades_executed=self.counters.trades_executed,
            round_trips=self.counters.round_trips,
            blocked_total=signals.outcomes[SignalOutcome.BLOCKED],
            ignored_total=signals.outcomes[SignalOutcome.IGNORED],
            blocked_by_reason=dict(signals.blocked_reasons),
            recent_signals=tuple(signals.recent),
            latency=breakdown[TICK_TO_DECISION].summary(),
            latency_breakdown=breakdown,
            counters=self.feed_counters(),
            wall_ns=self.clock.wall_ns(),
            started_wall_ns=self.started_wall_ns,
            notices=self.notices.recent,
            trading=self.trading.status,
        )

    def feed_counters(self) -> FeedCounters:
        """What the engine saw of the feed: its own counts, and what the books refused."""
        c = self.counters
        books = [book.counters for book in self.market.books.values()]
        return FeedCounters(
            frames=self.market.frames,
            snapshots=c.snapshots,
            resyncs=c.resyncs,
            gaps=sum(b.gaps for b in books),
            crossed=sum(b.crosses for b in books),
            duplicates=sum(b.repeated for b in books),
            buffer_overflows=sum(b.buffer_overflows for b in books),
            dropped_frames=c.dropped_frames,
            reconnects=c.reconnects,
            unknown_product=c.unknown_product,
            decisions_skipped=c.decisions_skipped,
            stale_silence=c.stale_silence,
            stale_lag=c.stale_lag,
            resync_retries=c.resync_retries,
            ledger_corrections=c.ledger_corrections,
            observers_detached=len(self.observers.detached),
        )
