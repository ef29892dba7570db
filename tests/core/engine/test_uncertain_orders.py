"""An order whose outcome is uncertain, through the engine (issue 15 §2, §5): entries halted for the
product while the venue is asked again, its fills booked when the venue tells, and no "flat
confirmed" while it may still execute."""

from __future__ import annotations

from decimal import Decimal

from core.clock import SystemClock
from core.engine import Engine
from core.engine.config import EngineConfig
from core.engine_state import KillSwitchPhase
from core.enums import Mode, OrderStatus
from core.ports import (
    OpenOrder,
    OrderRequest,
    OrderResult,
    VenueFill,
    VenuePosition,
    VenueUnreachable,
)
from core.risk import RiskLimits
from core.strategy import StrategyParams
from core.trading_state import Restriction, TradingState
from tests.core.engine.test_engine import SYMBOL, XBT, Recorder, RecordingFeed, snapshot
from tests.waiting import eventually


class LateVenue:
    """The order's answer is lost; the venue knows nothing of it until ``arrive()``."""

    def __init__(self) -> None:
        self.orders: list[OrderRequest] = []
        self.arrived = False
        self.asked = 0

    def arrive(self) -> None:
        self.arrived = True

    async def place_order(self, order: OrderRequest) -> OrderResult:
        self.orders.append(order)
        raise VenueUnreachable("no answer within 0.5 s")

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        self.asked += 1
        if not self.arrived:
            return None
        order = self.orders[0]
        fill = VenueFill(Decimal("43500.5"), order.quantity, Decimal("0.05"), "f-late")
        return OrderResult(client_order_id, OrderStatus.FILLED, "v1", (fill,))

    async def open_positions(self) -> list[VenuePosition]:
        if not self.arrived:
            return []
        return [VenuePosition(SYMBOL, self.orders[0].quantity, Decimal("43500.5"))]

    async def open_orders(self) -> list[OpenOrder]:
        return []

    async def cancel_all_orders(self, product: str | None = None) -> None:
        return None


def live_engine(venue: LateVenue, recorder: Recorder) -> Engine:
    config = EngineConfig(
        venue_name="test",
        instrument=XBT,
        mode=Mode.LIVE,
        strategy=StrategyParams(cooldown_s=0.0),
        risk=RiskLimits(),
        trade_notional_usd=Decimal(100),
        taker_fee_rate=Decimal("0.0005"),
        kill_switch_backoff_s=0.01,
        order_status_patience_s=0.3,
    )
    return Engine(
        config, feed=RecordingFeed(), clock=SystemClock(), venue=venue, observers=[recorder]
    )  # type: ignore[arg-type]


async def test_an_uncertain_order_halts_entries_until_the_venue_tells_then_its_fills_book() -> None:
    venue, recorder = LateVenue(), Recorder()
    engine = live_engine(venue, recorder)
    try:
        engine.on_snapshot(snapshot(1, 4.0, 1.0))  # bullish: BUY, its answer lost
        await eventually(lambda: engine.uncertain_orders, 10, what="an uncertain order")
        cid = venue.orders[0].client_order_id
        assert engine.uncertain_orders == (cid,)
        status = engine.trading
        assert status.state is TradingState.REDUCING, "entries halted, exits still allowed"
        assert status.restriction is Restriction.ORDER_UNCERTAIN and cid in status.reason
        assert engine.ledger.position.quantity == 0, "nothing booked on a guess"

        # the venue shows no position, but the order may still execute: not flat
        kill = await engine.flatten_all("test")
        assert kill.phase is KillSwitchPhase.FAILED and "uncertain" in kill.detail

        venue.arrive()  # the order reached the matching engine after all, and filled
        await eventually(lambda: not engine.uncertain_orders, 15, what="settled")
        assert engine.ledger.position.quantity == venue.orders[0].quantity
        assert [f.client_order_id for f in recorder.fills] == [cid]
        assert not engine.live_checks.mismatches, "the reconciliation after it agrees"
        assert engine.trading.restriction is not Restriction.ORDER_UNCERTAIN
        assert len(venue.orders) == 1, "never sent again"
    finally:
        await engine.close()
