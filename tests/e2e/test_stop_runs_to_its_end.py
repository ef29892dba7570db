"""A stop that has to flatten finishes the flatten before anything can cut it short: here, the
caller waiting for it is cancelled (as the console's worker is when the app closes under it)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from brokers.sim import KrakenFuturesSimServer
from console.options import RunOptions
from console.session import TradingSession
from console.venue_setup import open_venue
from core.engine_state import KillSwitchPhase
from core.enums import Mode
from core.store import RunEnd
from tests.e2e.test_live_on_sim import Recorder, settings_for
from tests.e2e.test_terminal_gone import assert_venue_flat
from tests.waiting import eventually

pytestmark = pytest.mark.e2e


async def test_cancelling_whoever_waits_for_a_stop_does_not_cut_its_live_flatten_short() -> None:
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
                await asyncio.wait_for(recorder.filled.wait(), timeout=30)
                assert await session.engine.wait_idle(10)
                assert session.engine.ledger.position.quantity != 0
                # The venue refuses the first cancel-all twice: the flatten retries with backoff.
                server.faults.fail_rest("cancelallorders", times=2, status=503)
                first = asyncio.create_task(session.stop(flatten=True, how=RunEnd.HANGUP))
                await eventually(
                    lambda: server.faults.armed_rest("cancelallorders") < 2,
                    30,
                    what="the flatten under way",
                )
                first.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(first), 60)
                # The cancellation was honoured only once the stop had ended: flat by now.
                assert_venue_flat(server)
                status = await session.stop(flatten=False)  # waits for the same stop
            finally:
                await session.stop(flatten=False)
        assert status is not None
        assert status.phase is KillSwitchPhase.FLAT, status.detail
        assert session.engine.ledger.position.quantity == 0
