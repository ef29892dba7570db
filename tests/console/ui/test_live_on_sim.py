"""The console on the simulated venue over real sockets, live mode through the real Kraken
Futures adapter: `f` must leave the ledger and the venue flat, `d` must ask before going live."""

from __future__ import annotations

import contextlib

import pytest
from pydantic import SecretStr

from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from console.app.app import L2ConsoleApp
from console.app.screens import ConfirmLiveScreen
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import open_venue
from core.engine_state import KillSwitchPhase
from core.enums import Mode
from tests.console.ui.conftest import wait_until

pytestmark = pytest.mark.e2e


def settings_for(server: KrakenFuturesSimServer | None = None, **changes: object) -> Settings:
    urls: dict[str, object] = {}
    if server is not None:
        urls = {
            "kraken_futures_ws_url": server.ws_url,
            "kraken_futures_rest_url": server.rest_url,
            "kraken_api_key": SecretStr(SIM_API_KEY),
            "kraken_protocol": "v1",  # the v1 adapter against the v1 sim
            "kraken_api_secret": SecretStr(SIM_API_SECRET),
        }
    fields: dict[str, object] = {"cooldown_seconds": 1, "sim_rate_hz": 400}
    fields.update(urls)
    fields.update(changes)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        # Once in, stay in: only the kill switch closes the position in these tests.
        take_profit_pct=50,
        stop_loss_pct=50,
        max_hold_seconds=86_400,
        reversal_imbalance_ratio=1_000_000,
        **fields,
    )


async def test_f_closes_the_live_position_and_the_venue_confirms_flat() -> None:
    async with KrakenFuturesSimServer(seed=3, rate_hz=400) as server:
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=True,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings_for(server), stack)
            session = TradingSession(options, settings_for(server), connection)
            engine = session.engine
            app = L2ConsoleApp(session)
            try:
                async with app.run_test(size=(80, 24)) as pilot:
                    await wait_until(pilot, lambda: not engine.ledger.position.is_flat)
                    await wait_until(pilot, lambda: not engine.busy, seconds=5)
                    await pilot.press("f")
                    await wait_until(
                        pilot,
                        lambda: engine.state().kill_switch.phase is not KillSwitchPhase.FLATTENING,
                    )
                    status = engine.state().kill_switch
                    app.redraw()
                    banner = app.notice.plain_text
            finally:
                await session.stop(flatten=False)

        assert status.phase is KillSwitchPhase.FLAT, status.detail
        assert "flat confirmed by the venue" in banner
        assert engine.ledger.position.is_flat
        account = server.exchange.account(SIM_API_KEY)
        assert all(p.size == 0 for p in account.positions.values())
        assert not list(account.open_orders())
        assert account.orders  # it did trade: an entry and the kill switch's close
        assert list(account.orders.values())[-1].reduce_only


async def test_d_goes_live_on_the_sim_only_after_yes_and_back_without_asking() -> None:
    options = RunOptions(
        broker="sim", symbol="PF_XBTUSD", mode=Mode.DRY_RUN, duration_s=None, ui=True
    )
    async with contextlib.AsyncExitStack() as stack:
        # Stay flat (switching needs flat); a quiet feed keeps Pilot's idle waits short.
        settings = settings_for(entry_imbalance_ratio=1_000_000, sim_rate_hz=20)
        connection = await open_venue(options, settings, stack)
        session = TradingSession(options, settings, connection)
        engine = session.engine
        app = L2ConsoleApp(session)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.press("d")
                assert isinstance(app.screen, ConfirmLiveScreen)
                assert engine.mode is Mode.DRY_RUN
                await pilot.press("y")
                assert engine.mode is Mode.LIVE
                app.redraw()
                assert "LIVE (SIM)" in app.status_bar.plain_text
                await pilot.press("d")
                assert not isinstance(app.screen, ConfirmLiveScreen)
                assert engine.mode is Mode.DRY_RUN
        finally:
            await session.stop(flatten=False)


async def test_going_live_from_the_console_checks_the_venue_and_arms_its_dead_mans_switch() -> None:
    """`d` goes through the same doors as a live start: reconcile, then arm; back disarms."""
    async with KrakenFuturesSimServer(seed=3, rate_hz=20) as server:
        settings = settings_for(
            server,
            entry_imbalance_ratio=1_000_000,
            kraken_api_key=SecretStr(SIM_API_KEY),
            kraken_api_secret=SecretStr(SIM_API_SECRET),
        )
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.DRY_RUN,
            duration_s=None,
            ui=True,
            real_money_ack=True,
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            session = TradingSession(options, settings, connection)
            engine = session.engine
            app = L2ConsoleApp(session)
            try:
                async with app.run_test(size=(80, 24)) as pilot:
                    assert not _calls(server, "cancelallordersafter")
                    await pilot.press("d", "y")
                    await wait_until(pilot, lambda: engine.mode is Mode.LIVE)
                    await wait_until(pilot, lambda: bool(_calls(server, "cancelallordersafter")))
                    armed = _calls(server, "cancelallordersafter")
                    assert int(armed[0]["timeout"][0]) > 0
                    assert _calls(server, "openpositions"), "reconciled before the first decision"
                    await pilot.press("d")
                    await wait_until(pilot, lambda: engine.mode is Mode.DRY_RUN)
                    await wait_until(
                        pilot,
                        lambda: _calls(server, "cancelallordersafter")[-1]["timeout"] == ["0"],
                    )
            finally:
                await session.stop(flatten=False)


def _calls(server: KrakenFuturesSimServer, endpoint: str) -> list[dict[str, list[str]]]:
    return [params for name, params in server.rest_calls if name == endpoint]
