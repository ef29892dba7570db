"""Live mode through the real Kraken Futures adapter against the sim venue over real sockets.

The sim is started by the test and the console reaches it the way a user points it at
`l2console sim`: URL overrides and demo keys (the sim's public fake credentials).
"""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal

import pytest
from pydantic import SecretStr

from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import StartupError, open_venue
from core.engine_state import KillSwitchPhase
from core.enums import Mode, SignalAction
from core.events import Fill, Signal
from core.observer import EngineObserver

pytestmark = pytest.mark.e2e


class Recorder(EngineObserver):
    def __init__(self) -> None:
        self.signals: list[Signal] = []
        self.fills: list[Fill] = []
        self.filled = asyncio.Event()

    def on_signal(self, signal: Signal) -> None:
        self.signals.append(signal)

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)
        self.filled.set()


def settings_for(server: KrakenFuturesSimServer) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        kraken_api_key=SecretStr(SIM_API_KEY),
        kraken_protocol="v1",  # the v1 adapter against the v1 sim
        kraken_api_secret=SecretStr(SIM_API_SECRET),
        kraken_futures_ws_url=server.ws_url,
        kraken_futures_rest_url=server.rest_url,
        cooldown_seconds=1,
        # Once in, stay in: only the kill switch closes the position in this test.
        take_profit_pct=50,
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1_000_000,
    )


async def test_live_round_trip_is_signed_has_unique_client_ids_and_closes_reduce_only() -> None:
    async with KrakenFuturesSimServer(seed=3, rate_hz=400) as server:
        settings = settings_for(server)
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        recorder = Recorder()
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            session = TradingSession(options, settings, connection, observers=[recorder])
            await session.start()
            try:
                await asyncio.wait_for(recorder.filled.wait(), timeout=20)
                assert await session.engine.wait_idle(5)
                held = session.engine.ledger.position.quantity
                assert held != 0
                status = await asyncio.wait_for(session.stop(flatten=True), timeout=30)
            finally:
                await session.stop(flatten=False)

        assert status is not None
        assert status.phase is KillSwitchPhase.FLAT, status.detail
        account = server.exchange.account(SIM_API_KEY)
        assert all(p.size == 0 for p in account.positions.values())
        assert not list(account.open_orders())
        orders = sorted(account.orders.values(), key=lambda o: o.received_ns)
        client_ids = [o.client_id for o in orders]
        assert len(client_ids) == len(set(client_ids)) >= 2
        assert all(cid and cid.startswith("l2c-") for cid in client_ids)
        assert not orders[0].reduce_only
        assert orders[-1].reduce_only
        # The ledger agrees with the venue, fill for fill.
        venue_fills = [(f.price, f.size) for f in account.fills]
        ledger_fills = [(f.price, f.quantity) for f in recorder.fills]
        assert venue_fills == ledger_fills
        assert session.engine.ledger.position.quantity == Decimal(0)
        assert recorder.signals[-1].action is SignalAction.CLOSE


async def test_a_wrong_secret_stops_a_live_start_before_any_order() -> None:
    async with KrakenFuturesSimServer(seed=3, rate_hz=400) as server:
        settings = settings_for(server).model_copy(
            update={"kraken_api_secret": SecretStr("d3Jvbmc=")}
        )
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            session = TradingSession(options, settings, connection)
            # The start-up reconciliation is the first signed call: it is refused, so the run
            # never starts (one line for the user) and nothing is ever sent.
            with pytest.raises(StartupError) as refused:
                await session.start()
        message = str(refused.value)
        assert "authentication" in message.lower() and "KRAKEN_API_SECRET" in message
        assert SIM_API_SECRET not in message and "d3Jvbmc=" not in message
        assert not any(account.orders for account in server.exchange.accounts.values())
        assert session.engine.ledger.position.quantity == 0


@pytest.mark.parametrize(
    ("after_execute", "booked"),
    [(True, 1), (False, 0)],
    ids=["executed-then-answer-lost", "refused-before-executing"],
)
async def test_a_lost_answer_is_resolved_by_asking_the_venue_never_by_sending_again(
    after_execute: bool, booked: int
) -> None:
    async with KrakenFuturesSimServer(seed=3, rate_hz=400) as server:
        server.faults.fail_rest("sendorder", status=503, after_execute=after_execute)
        settings = settings_for(server)
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        recorder = Recorder()
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            session = TradingSession(options, settings, connection, observers=[recorder])
            await session.start()
            try:
                for _ in range(400):
                    if any(s.action is not SignalAction.CLOSE for s in recorder.signals):
                        break
                    await asyncio.sleep(0.05)
                assert await session.engine.wait_idle(10)
                first_order_fills = [
                    f for f in recorder.fills if f.client_order_id == _first_client_id(server)
                ]
            finally:
                await session.stop(flatten=False)
        account = server.exchange.account(SIM_API_KEY)
        first = _first_client_id(server)
        # One decision, one order at the venue, whatever became of the answer.
        assert sum(1 for o in account.orders.values() if o.client_id == first) == booked
        assert len(first_order_fills) == booked
        if booked:
            venue_size = sum(f.size for f in account.fills if f.client_id == first)
            assert sum(f.quantity for f in first_order_fills) == venue_size


def _first_client_id(server: KrakenFuturesSimServer) -> str | None:
    calls = [params for endpoint, params in server.rest_calls if endpoint == "sendorder"]
    return calls[0]["cliOrdId"][0] if calls else None
