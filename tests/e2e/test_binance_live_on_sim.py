"""Live mode through the real Binance.us adapter and engine against the simulated venue: the
long-only strategy, an honest ledger when commission is charged in BTC, and a flat ending."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from brokers.binance_us import BinanceUsRest
from brokers.sim import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET, BinanceUsSimServer
from console.headless import open_session
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import StartupError, open_venue
from core.engine_state import KillSwitchPhase
from core.enums import Mode, Side, SignalAction
from core.events import Fill, Signal, SignalOutcome
from core.observer import EngineObserver
from core.ports import OrderRequest, OrderResult

pytestmark = pytest.mark.e2e

START_USDT = Decimal(10_000)


class Recorder(EngineObserver):
    def __init__(self) -> None:
        self.signals: list[Signal] = []
        self.fills: list[Fill] = []
        self.orders: list[tuple[OrderRequest, OrderResult]] = []
        self.bought = asyncio.Event()
        self.ignored = asyncio.Event()

    def on_signal(self, signal: Signal) -> None:
        self.signals.append(signal)
        if signal.outcome is SignalOutcome.IGNORED:
            self.ignored.set()

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        if result is not None:
            self.orders.append((request, result))

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)
        if fill.side is Side.BUY:
            self.bought.set()


def settings_for(server: BinanceUsSimServer, **changes: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        binance_us_api_key=SecretStr(BINANCE_SIM_API_KEY),
        binance_us_api_secret=SecretStr(BINANCE_SIM_API_SECRET),
        binance_us_ws_url=server.ws_url,
        binance_us_rest_url=server.rest_url,
        cooldown_seconds=0.5,
        entry_imbalance_ratio=2.0,
        # Once in, stay in: only the kill switch closes the position in this test.
        take_profit_pct=50,
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1_000_000,
        **changes,
    )


def live(**changes: object) -> RunOptions:
    return RunOptions(
        broker="binance_us",
        symbol="BTCUSDT",
        mode=Mode.LIVE,
        duration_s=None,
        ui=False,
        real_money_ack=True,
        **changes,  # type: ignore[arg-type]
    )


async def test_live_long_only_round_trip_books_exactly_the_cash_that_moved() -> None:
    async with BinanceUsSimServer(seed=20, rate_hz=400) as server:
        settings = settings_for(server)
        recorder = Recorder()
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(live(), settings, stack)
            session = TradingSession(live(), settings, connection, observers=[recorder])
            await session.start()
            try:
                await asyncio.wait_for(recorder.bought.wait(), timeout=20)
                await asyncio.wait_for(recorder.ignored.wait(), timeout=20)
                assert await session.engine.wait_idle(5)
                held = session.engine.ledger.position.quantity
                assert isinstance(connection.venue, BinanceUsRest)
                assert connection.venue.held("BTCUSDT") == held > 0
                status = await asyncio.wait_for(session.stop(flatten=True), timeout=30)
            finally:
                await session.stop(flatten=False)
        account = server.exchange.account(BINANCE_SIM_API_KEY)

    assert connection.long_only
    assert connection.taker_fee_rate == Decimal("0.001")  # the account's rate, from the venue
    assert connection.taker_fee_source == "account, trading-fee"
    assert status is not None and status.phase is KillSwitchPhase.FLAT, status.detail
    # Long only: bearish entries were shown and stored as ignored, never sent.
    sells = [s for s in recorder.signals if s.action is SignalAction.SELL]
    assert sells and all(s.outcome is SignalOutcome.IGNORED for s in sells)
    assert {s.block_reason for s in sells} == {"spot: no shorting"}
    closes = [s for s in recorder.signals if s.action is SignalAction.CLOSE]
    venue_sells = [o for o in account.orders.values() if o.side is Side.SELL]
    assert len(venue_sells) == len(closes) >= 1
    # The CLOSE sold exactly what the strategy held; only the sub-step remainder stays behind.
    assert [o.quantity for o in venue_sells] == [held]
    assert Decimal(0) <= account.balance("BTC") < Decimal("0.00001")
    # Honest money: realized P&L minus fees is exactly the USDT the account gained or lost.
    ledger = session.engine.ledger
    assert ledger.position.quantity == 0
    assert ledger.realized_pnl - ledger.fees_paid == account.balance("USDT") - START_USDT
    client_ids = [o.client_id for o in account.orders.values()]
    assert len(client_ids) == len(set(client_ids)) and all(c.startswith("l2c-") for c in client_ids)


async def test_a_dry_run_with_keys_can_never_switch_to_live() -> None:
    async with BinanceUsSimServer(seed=20) as server:
        settings = settings_for(server)
        options = RunOptions(
            broker="binance_us", symbol="BTCUSDT", mode=Mode.DRY_RUN, duration_s=None, ui=False
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            session = TradingSession(options, settings, connection)
        assert not connection.can_trade_live
        assert session.engine.venue is None
        with pytest.raises(Exception, match="live trading needs venue API keys"):
            session.engine.set_mode(Mode.LIVE)
    assert [r.key for r in server.rest.requests if r.key] == []


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        # $5 per trade is below the venue's $10 minimum value.
        ({"trade_notional_usd": Decimal(5)}, "below the venue's minimum (10)"),
        # The position cap from settings holds for real money too.
        ({"max_position_usd": Decimal(50)}, "position limit"),
    ],
)
async def test_the_risk_manager_still_vets_every_live_order(
    changes: dict[str, object], why: str
) -> None:
    async with BinanceUsSimServer(seed=20, rate_hz=400) as server:
        settings = settings_for(server, **changes)
        recorder = Recorder()
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(live(), settings, stack)
            session = TradingSession(live(), settings, connection, observers=[recorder])
            await session.start()
            try:
                await asyncio.wait_for(_a_blocked_buy(recorder), timeout=20)
            finally:
                await session.stop(flatten=False)
        orders = server.exchange.account(BINANCE_SIM_API_KEY).orders
    blocked = [s for s in recorder.signals if s.outcome is SignalOutcome.BLOCKED]
    assert blocked and all(why in s.block_reason for s in blocked), blocked
    assert orders == {}


async def _a_blocked_buy(recorder: Recorder) -> None:
    for _ in range(400):
        if any(s.outcome is SignalOutcome.BLOCKED for s in recorder.signals):
            return
        await asyncio.sleep(0.05)


async def test_a_resumed_live_session_hands_its_position_to_the_kill_switch(
    tmp_path: Path,
) -> None:
    options = live(session="spot", db_path=tmp_path / "sessions.sqlite", flatten_on_exit=False)
    async with BinanceUsSimServer(seed=20, rate_hz=400) as server:
        settings = settings_for(server)
        recorder = Recorder()
        async with contextlib.AsyncExitStack() as stack:  # run 1: buy, leave it open
            connection = await open_venue(options, settings, stack)
            store = await open_session(options, settings, connection)
            first = TradingSession(options, settings, connection, observers=[recorder], store=store)
            await first.start()
            try:
                await asyncio.wait_for(recorder.bought.wait(), timeout=20)
                assert await first.engine.wait_idle(5)
                held = first.engine.ledger.position.quantity
            finally:
                await first.stop(flatten=False)
        assert held > 0
        async with contextlib.AsyncExitStack() as stack:  # run 2: a new process would start here
            connection = await open_venue(options, settings, stack)
            store = await open_session(options, settings, connection)
            second = TradingSession(options, settings, connection, store=store)
            assert isinstance(connection.venue, BinanceUsRest)
            assert second.engine.ledger.position.quantity == held
            assert connection.venue.held("BTCUSDT") == held
            await second.start()
            status = await asyncio.wait_for(second.stop(flatten=True), timeout=30)
        account = server.exchange.account(BINANCE_SIM_API_KEY)
    assert status is not None and status.phase is KillSwitchPhase.FLAT, status.detail
    assert second.engine.ledger.position.quantity == 0
    assert account.balance("BTC") < Decimal("0.00001") * 2  # each BUY's sub-step remainder


async def test_rest_timeout_seconds_bounds_a_binance_request_that_gets_no_answer() -> None:
    """``REST_TIMEOUT_SECONDS`` reaches the Binance.us client: a start whose exchange-info
    request is held gives up after 1 s, not after the client's default 10 s."""
    async with BinanceUsSimServer(seed=20) as server:
        server.faults.hang_rest("exchangeInfo", 60)
        started = asyncio.get_running_loop().time()
        with pytest.raises(StartupError):
            async with contextlib.AsyncExitStack() as stack:
                await open_venue(live(), settings_for(server, rest_timeout_seconds=1), stack)
        assert asyncio.get_running_loop().time() - started < 8
