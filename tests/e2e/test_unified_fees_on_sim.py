"""The account's taker fee from the simulated venue's Spot REST ``TradeVolume``, over real
sockets: read at start with the Kraken key, used for paper fills, shown with its source and
stored with the run; a refused call is one line and the fee setting, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from decimal import Decimal

import pytest
from pydantic import SecretStr

from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET
from console.options import RunOptions
from console.session import TradingSession
from console.session.setup import session_spec
from console.settings import Settings
from console.venue_setup import fee_line, open_venue
from core.enums import Mode
from core.events import Fill
from core.money import taker_fee
from core.observer import EngineObserver

pytestmark = pytest.mark.e2e

ACCOUNT_TAKER = Decimal("0.0004")  # 0.04 %: not the 5 bps setting, so the source shows
SETTING_TAKER = Decimal("0.0005")


class Fills(EngineObserver):
    def __init__(self) -> None:
        self.fills: list[Fill] = []
        self.filled = asyncio.Event()

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)
        self.filled.set()


def settings_for(server: KrakenUnifiedSimServer, *, key: str | None) -> Settings:
    keys = (
        {}
        if key is None
        else {
            "kraken_api_key": SecretStr(key),
            "kraken_api_secret": SecretStr(SIM_UNIFIED_API_SECRET),
        }
    )
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        kraken_ws_public_url=server.ws_url,
        kraken_rest_url=server.rest_url,
        cooldown_seconds=1,
        **keys,
    )


def paper() -> RunOptions:
    return RunOptions(
        broker="kraken", symbol="PF_XBTUSD", mode=Mode.PAPER, duration_s=None, ui=False
    )


async def test_paper_fills_are_booked_at_the_accounts_rate_read_from_trade_volume(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with KrakenUnifiedSimServer(seed=3, rate_hz=400) as server:
        server.set_fee_tier(ACCOUNT_TAKER, Decimal("0.0001"))
        settings = settings_for(server, key=SIM_UNIFIED_API_KEY)
        options = paper()
        fills = Fills()
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            assert connection.taker_fee_rate == ACCOUNT_TAKER
            assert fee_line(connection, "KRAKEN_TAKER_FEE_BPS") == (
                "Taker fee: 0.04% (account, TradeVolume)"
            )
            spec = session_spec("s", options, settings, connection)
            assert spec.parameters["taker_fee_rate"] == "0.0004"
            assert spec.parameters["taker_fee_source"] == "account, TradeVolume"
            session = TradingSession(options, settings, connection, observers=[fills])
            await session.start()
            try:
                await asyncio.wait_for(fills.filled.wait(), timeout=30)
                assert session.status()["dead_mans_switch"] == "off (paper)"
            finally:
                await session.stop(flatten=False)
            instrument = connection.instrument
        [call] = [c for c in server.token_api.calls if c["path"] == "/0/private/TradeVolume"]
        assert '"aclass":"derivatives"' in call["body"] and '"asset":"PF_XBTUSD"' in call["body"]
    fill = fills.fills[0]
    notional = instrument.notional_usd(fill.quantity, fill.price)
    assert fill.fee == taker_fee(notional, ACCOUNT_TAKER) != taker_fee(notional, SETTING_TAKER)
    assert SIM_UNIFIED_API_SECRET not in caplog.text and SIM_UNIFIED_API_KEY not in caplog.text


@pytest.mark.parametrize("how", ["wrong key", "venue error"])
async def test_a_failed_fee_query_is_one_line_and_the_setting(
    how: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with KrakenUnifiedSimServer(seed=4) as server:
        server.set_fee_tier(ACCOUNT_TAKER, Decimal("0.0001"))
        key = "NOT-THE-SIMS-KEY" if how == "wrong key" else SIM_UNIFIED_API_KEY
        if how == "venue error":
            server.unified_faults.refuse_trade_volume(error="EService:Unavailable")
        settings = settings_for(server, key=key)
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(paper(), settings, stack)
    assert connection.taker_fee_rate == SETTING_TAKER
    source = connection.taker_fee_source
    error = "EAPI:Invalid key" if how == "wrong key" else "EService:Unavailable"
    assert source.startswith("setting KRAKEN_TAKER_FEE_BPS; TradeVolume failed: ")
    assert error in source and "\n" not in source
    warnings = [r for r in caplog.records if "TradeVolume failed" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "Traceback" not in caplog.text
    assert SIM_UNIFIED_API_SECRET not in caplog.text and key not in caplog.text


async def test_without_keys_the_setting_says_so() -> None:
    async with KrakenUnifiedSimServer(seed=5) as server:
        settings = settings_for(server, key=None)
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(paper(), settings, stack)
        assert not [c for c in server.token_api.calls if c["path"].endswith("TradeVolume")]
    assert fee_line(connection, "KRAKEN_TAKER_FEE_BPS") == (
        "Taker fee: 0.05% (setting KRAKEN_TAKER_FEE_BPS, no keys)"
    )
