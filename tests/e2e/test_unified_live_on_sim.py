"""Live mode through the Kraken Unified adapter against the simulated Unified venue, over real
sockets: ``--broker kraken`` (``KRAKEN_PROTOCOL=unified``, the default) pointed at the sim with
the URL overrides and the sim's public fake Kraken key. The run starts, trades, and the kill
switch ends it flat, confirmed from the venue's ``positions``; every fee in the ledger is the one
the venue reported on ``executions``."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date

import pytest
from pydantic import SecretStr

from brokers.kraken_futures.venue import KrakenFutures
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET
from brokers.venue import VenueRequest, VenueSetupError
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import open_venue
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


def settings_for(server: KrakenUnifiedSimServer) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        kraken_api_key=SecretStr(SIM_UNIFIED_API_KEY),
        kraken_api_secret=SecretStr(SIM_UNIFIED_API_SECRET),
        kraken_ws_public_url=server.ws_url,
        kraken_rest_url=server.rest_url,
        cooldown_seconds=1,
        take_profit_pct=50,  # once in, stay in: only the kill switch closes the position
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1_000_000,
        dead_man_refresh_seconds=0.5,
    )


async def test_live_run_on_unified_ends_flat_with_the_venues_fees_booked_exactly() -> None:
    async with KrakenUnifiedSimServer(seed=3, rate_hz=400) as server:
        settings = settings_for(server)
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # --broker kraken --live is real money; this one is the sim
        )
        recorder = Recorder()
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            assert connection.ws_url.endswith("/v2/public")
            session = TradingSession(options, settings, connection, observers=[recorder])
            await session.start()
            try:
                await asyncio.wait_for(recorder.filled.wait(), timeout=30)
                assert await session.engine.wait_idle(5)
                assert session.engine.ledger.position.quantity != 0
                arms = [r for _, r in server.private_requests
                        if r.get("method") == "cancel_all_orders_after"]  # fmt: skip
                assert arms and arms[0]["params"]["timeout"] == 60
                status = await asyncio.wait_for(session.stop(flatten=True), timeout=30)
            finally:
                await session.stop(flatten=False)

        assert status is not None
        assert status.phase is KillSwitchPhase.FLAT, status.detail
        account = server.exchange.account(SIM_UNIFIED_API_KEY)
        assert not account.positions
        assert not list(account.open_orders())
        orders = sorted(account.orders.values(), key=lambda o: o.received_ns)
        client_ids = [o.client_id for o in orders]
        assert len(client_ids) == len(set(client_ids)) >= 2
        assert not orders[0].reduce_only and orders[-1].reduce_only
        # The ledger agrees with the venue fill for fill, fees to the last digit.
        venue_fills = [(f.price, f.size, f.fee) for f in account.fills]
        ledger_fills = [(f.price, f.quantity, f.fee) for f in recorder.fills]
        assert venue_fills == ledger_fills
        assert session.engine.ledger.fees_paid == account.fees_paid
        assert recorder.signals[-1].action is SignalAction.CLOSE
        # The clean exit disarmed the dead man's switch.
        assert account.dead_man_deadline_ns is None
        last = [
            r for _, r in server.private_requests if r.get("method") == "cancel_all_orders_after"
        ]
        assert last[-1]["params"]["timeout"] == 0


async def test_v1_is_refused_in_one_line_from_1_march_2027() -> None:
    spec = KrakenFutures(today=lambda: date(2027, 3, 1))
    settings = Settings(_env_file=None, kraken_protocol="v1")  # type: ignore[call-arg]
    request = VenueRequest(
        symbol="PF_XBTUSD",
        mode=Mode.PAPER,
        settings={name: getattr(settings, name.lower()) for name in spec.settings},
    )
    async with contextlib.AsyncExitStack() as stack:
        with pytest.raises(VenueSetupError) as refused:
            await spec.open(request, stack)
    message = str(refused.value)
    assert "\n" not in message and "1 March 2027" in message
    assert "KRAKEN_PROTOCOL=unified" in message
