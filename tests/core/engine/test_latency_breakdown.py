"""Decision -> order sent -> venue answer: the order path's own latency histograms."""

from __future__ import annotations

from decimal import Decimal

from core.clock import ManualClock
from core.engine import Engine, EngineConfig
from core.enums import Mode, OrderStatus, Side
from core.fills import PaperFills
from core.latency import DECISION_TO_ORDER, ORDER_TO_ACK, TICK_TO_DECISION
from core.ports import OrderRequest, OrderResult, VenueError, VenueFill, VenueUnreachable
from core.risk import RiskLimits
from core.router import OrderRouter
from core.strategy import StrategyParams
from tests.core.engine.test_engine import XBT, RecordingFeed, make_engine, snapshot

VENUE_ANSWER_NS = 7_000_000


class SlowVenue:
    """Answers ``place_order`` after ``VENUE_ANSWER_NS`` of (manual) time, filled at 43,500.5."""

    def __init__(self, clock: ManualClock, *, fail: VenueError | None = None) -> None:
        self.clock = clock
        self.fail = fail
        self.orders: list[OrderRequest] = []

    async def place_order(self, order: OrderRequest) -> OrderResult:
        self.orders.append(order)
        self.clock.advance(VENUE_ANSWER_NS)
        if self.fail is not None:
            raise self.fail
        fill = VenueFill(Decimal("43500.5"), order.quantity, Decimal("0.05"), "f1")
        return OrderResult(order.client_order_id, OrderStatus.FILLED, "v1", (fill,))

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        return None


def live_engine(venue_error: VenueError | None = None) -> tuple[Engine, SlowVenue]:
    clock = ManualClock()
    venue = SlowVenue(clock, fail=venue_error)
    config = EngineConfig(
        venue_name="test",
        instrument=XBT,
        mode=Mode.LIVE,
        strategy=StrategyParams(cooldown_s=0.0),
        risk=RiskLimits(),
        trade_notional_usd=Decimal(100),
        taker_fee_rate=Decimal("0.0005"),
    )
    engine = Engine(config, feed=RecordingFeed(), clock=clock, venue=venue)  # type: ignore[arg-type]
    return engine, venue


async def test_a_live_order_records_decision_to_order_and_the_venues_answer_time() -> None:
    engine, venue = live_engine()
    engine.on_snapshot(snapshot(1, 4.0, 1.0))  # bullish: BUY, sent by a task
    assert await engine.wait_idle(1.0)

    assert len(venue.orders) == 1
    breakdown = engine.state().latency_breakdown
    assert set(breakdown) == {TICK_TO_DECISION, DECISION_TO_ORDER, ORDER_TO_ACK}
    assert breakdown[DECISION_TO_ORDER].count == 1
    ack = breakdown[ORDER_TO_ACK]
    assert (ack.count, ack.min_ns, ack.max_ns) == (1, VENUE_ANSWER_NS, VENUE_ANSWER_NS)
    assert breakdown[TICK_TO_DECISION].count == 1


async def test_an_order_whose_answer_was_lost_has_no_acknowledgement_time() -> None:
    clock = ManualClock()
    venue = SlowVenue(clock, fail=VenueUnreachable("timed out"))
    router = OrderRouter(
        instrument=XBT,
        paper=PaperFills(taker_fee_rate=Decimal(0)),
        venue=venue,  # type: ignore[arg-type]
        taker_fee_rate=Decimal(0),
        clock=clock,
        status_backoff_s=0.0,
        status_deadline_s=0.0,
    )
    request = OrderRequest("c1", XBT.symbol, Side.BUY, Decimal("0.001"))
    decided = clock.mono_ns()
    clock.advance(40_000)

    result, _ = await router.send(request, 43_500.0, decided_mono_ns=decided)

    # never seen by the venue on any status check, and no deadline to prove it never will be
    assert result.status is OrderStatus.UNKNOWN
    assert router.decision_to_order.max_ns == 40_000
    assert router.order_to_ack.count == 0


async def test_paper_orders_measure_decision_to_order_but_have_no_venue_answer() -> None:
    engine, _, _, clock = make_engine(mode=Mode.PAPER)
    engine.on_snapshot(snapshot(1, 4.0, 1.0, recv_ns=clock.mono_ns()))

    histograms = engine.latency_histograms
    assert histograms[DECISION_TO_ORDER].count == 1
    assert histograms[ORDER_TO_ACK].count == 0
    assert histograms[TICK_TO_DECISION] is engine.latency


async def test_the_state_holds_copies_that_later_updates_do_not_change() -> None:
    engine, _, _, _ = make_engine()
    engine.on_snapshot(snapshot(1, 1.0, 1.0))
    before = engine.state().latency_breakdown[TICK_TO_DECISION]
    engine.on_snapshot(snapshot(2, 1.0, 1.0))
    assert before.count == 1
    assert engine.state().latency_breakdown[TICK_TO_DECISION].count == 2


async def test_a_refusal_is_an_answer_too() -> None:
    engine, _ = live_engine(VenueError("insufficientAvailableFunds"))
    engine.on_snapshot(snapshot(1, 4.0, 1.0))
    assert await engine.wait_idle(1.0)
    assert engine.latency_histograms[ORDER_TO_ACK].max_ns == VENUE_ANSWER_NS
