"""Live start never assumes flat: the venue's positions and orders are read and reconciled with
the session (``POSITION_ON_START``), through the real adapter against the sim over sockets."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from brokers.sim.market.orders import OrderKind, OrderState
from console.options import RunOptions
from console.session import TradingSession
from console.venue_setup import StartupError, open_venue
from core.engine_state import KillSwitchPhase
from core.enums import Mode, Side, SignalAction
from tests.e2e.rig import XBT, rig_settings, trading_rig
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

HELD = Decimal("0.0100")


def leftovers(server: KrakenFuturesSimServer) -> None:
    """What a crashed run leaves at the venue: a long position and a resting order."""
    now = server.clock()
    server.exchange.place(SIM_API_KEY, XBT, Side.BUY, OrderKind.MARKET, HELD, now_ns=now)
    bid = server.book(XBT).best_bid - 50
    server.exchange.place(
        SIM_API_KEY, XBT, Side.BUY, OrderKind.LIMIT, Decimal("0.01"), limit_price=bid, now_ns=now
    )
    server.exchange.place(
        SIM_API_KEY, "PF_ETHUSD", Side.SELL, OrderKind.MARKET, Decimal("0.1"), now_ns=now
    )


def venue_position(server: KrakenFuturesSimServer, product: str = XBT) -> Decimal:
    account = server.exchange.account(SIM_API_KEY)
    position = account.positions.get(product)
    return Decimal(0) if position is None else position.size


def resting(server: KrakenFuturesSimServer) -> list[object]:
    return [
        o
        for o in server.exchange.account(SIM_API_KEY).orders.values()
        if o.state is OrderState.OPEN
    ]


async def test_flatten_closes_a_position_the_session_did_not_know_before_trading() -> None:
    async with trading_rig(before_start=leftovers, position_on_start="flatten") as rig:
        reconciliation = rig.session.reconciliation
        assert reconciliation is not None
        assert (reconciliation.venue_quantity, reconciliation.session_quantity) == (HELD, 0)
        assert reconciliation.cancelled_orders == 1
        assert reconciliation.outcome.startswith("flattened")
        assert [p.product for p in reconciliation.other_positions] == ["PF_ETHUSD"]
        assert venue_position(rig.server) == 0 and not resting(rig.server)
        assert venue_position(rig.server, "PF_ETHUSD") == Decimal("-0.1"), "not ours: untouched"
        [close] = [s for s, _ in rig.witness.decisions]
        assert close.action is SignalAction.CLOSE and close.reason.startswith("Start-up")
        assert rig.witness.kill_switch[0].phase is KillSwitchPhase.FLAT
        assert not rig.engine.state().kill_switch.engaged, "released: trading may start"
        assert rig.engine.ledger.position.quantity == 0
        assert len(rig.witness.round_trips) == 1
        closing = len(rig.witness.fills)
        await rig.trading(fills=closing + 1)  # then the strategy's own first order
        assert rig.never_decided_on_a_book_not_live() >= 1
        await rig.flatten_and_check_the_ledger_after_adoption()


async def test_adopt_takes_the_position_over_at_the_venues_entry_price() -> None:
    async with trading_rig(
        before_start=leftovers,
        position_on_start="adopt",
        take_profit_pct=50,
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1e6,
    ) as rig:
        reconciliation = rig.session.reconciliation
        assert reconciliation is not None and reconciliation.outcome.startswith("adopted")
        account = rig.server.exchange.account(SIM_API_KEY)
        position = rig.engine.ledger.position
        assert position.quantity == HELD == venue_position(rig.server)
        assert position.entry_price == account.positions[XBT].entry_price
        assert not resting(rig.server), "resting orders are cancelled either way"
        assert not rig.witness.kill_switch
        await rig.trading()
        assert rig.engine.ledger.position.quantity == HELD, "held: no second entry on top"
        await rig.flatten_and_check_the_ledger_after_adoption()
        assert venue_position(rig.server) == 0


async def test_a_session_that_agrees_with_the_venue_starts_as_it_is() -> None:
    async with trading_rig() as rig:
        reconciliation = rig.session.reconciliation
        assert reconciliation is not None and reconciliation.outcome == "consistent"
        assert rig.witness.notices[0] == (
            "start-up check: venue holds 0 PF_XBTUSD, session 0: consistent"
        )


async def test_a_venue_that_cannot_be_read_at_start_stops_the_start() -> None:
    server = KrakenFuturesSimServer(seed=5)
    await server.start()
    try:
        server.faults.fail_rest("openpositions", status=503, times=10)
        settings = rig_settings(server)
        options = RunOptions(
            broker="kraken",
            symbol=XBT,
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            session = TradingSession(options, settings, connection)
            with pytest.raises(StartupError, match="cannot read open positions and orders"):
                await session.start()
        assert not [e for e, p in server.rest_calls if e == "sendorder"], "nothing traded"
        assert not [e for e, p in server.rest_calls if e == "cancelallordersafter"]
    finally:
        await server.stop()


async def test_the_dead_mans_switch_is_armed_refreshed_and_disarmed_on_a_clean_stop() -> None:
    async with trading_rig(dead_man_timeout_seconds=60, dead_man_refresh_seconds=0.2) as rig:
        account = rig.server.exchange.account(SIM_API_KEY)
        assert account.dead_man_deadline_ns is not None
        await eventually(
            lambda: sum(1 for e, _ in rig.server.rest_calls if e == "cancelallordersafter") >= 3
        )
        server = rig.server
    timeouts = [p["timeout"][0] for e, p in server.rest_calls if e == "cancelallordersafter"]
    assert set(timeouts[:-1]) == {"60"} and timeouts[-1] == "0"
    assert account.dead_man_deadline_ns is None
