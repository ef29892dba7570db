"""``--no-ui`` live on the simulated Unified venue: the STATE line shows the dead man's switch
armed and refreshed; with the sim's firing knob (a private-socket outage past the timeout) the venue
fires it, the next refresh re-arms it, and the notice and the STATE lines say so."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal

import pytest
from pydantic import SecretStr

from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET
from console.headless import run_headless
from console.options import RunOptions
from console.settings import Settings
from core.enums import Mode
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

ARMED = re.compile(r"^STATE \|.* \| Dead man's switch: armed 2 s · refreshed \d+ s ago$")
FIRED = re.compile(
    r"^STATE \|.* \| Dead man's switch: FIRED at \d\d:\d\d:\d\d — re-armed 2 s · refreshed \d+ s ago$"
)


def lines(out: io.StringIO) -> list[str]:
    return out.getvalue().splitlines()


async def test_headless_live_shows_the_switch_armed_then_fired_and_re_armed() -> None:
    async with KrakenUnifiedSimServer(seed=11, rate_hz=200) as server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            kraken_api_key=SecretStr(SIM_UNIFIED_API_KEY),
            kraken_api_secret=SecretStr(SIM_UNIFIED_API_SECRET),
            kraken_ws_public_url=server.ws_url,
            kraken_rest_url=server.rest_url,
            dead_man_timeout_seconds=2,
            dead_man_refresh_seconds=0.5,
            rest_timeout_seconds=1.0,  # a lost refresh is known lost after 1 s
            state_interval_seconds=0.25,
            take_profit_pct=50,
            stop_loss_pct=50,
            max_hold_seconds=86_400,
            reversal_imbalance_ratio=1_000_000,
        )
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=120,
            ui=False,
            real_money_ack=True,  # the sim: its keys are public and fake
        )
        out = io.StringIO()
        run = asyncio.create_task(run_headless(options, settings, out))
        try:
            await eventually(
                lambda: any(ARMED.match(line) for line in lines(out)), 30, what="armed"
            )
            server.unified_faults.cut_private_after_next_arm(4.0)  # an outage: > 2 s
            await eventually(lambda: server.dead_man_fired >= 1, 30, what="the venue fired it")
            await eventually(
                lambda: any(FIRED.match(line) for line in lines(out)), 30, what="fired, re-armed"
            )
            account = server.exchange.account(SIM_UNIFIED_API_KEY)
            assert account.dead_man_deadline_ns is not None  # armed again at the venue
            os.kill(os.getpid(), signal.SIGINT)  # the run's own handler: a clean stop
            status = await asyncio.wait_for(run, timeout=60)
        finally:
            if not run.done():
                run.cancel()
                with contextlib.suppress(BaseException):
                    await run
    text = lines(out)
    notices = [line for line in text if line.startswith("NOTICE | dead man's switch FIRED at")]
    assert len(notices) == 1 and "re-armed now" in notices[0]
    first_fired = next(i for i, line in enumerate(text) if FIRED.match(line))
    assert any(ARMED.match(line) for line in text[:first_fired])
    assert any("past its timeout" in line for line in text[:first_fired])  # the outage, seen
    assert not any("may have FIRED" in line for line in text)  # never sent: surely fired
    assert status in (0, 1)
    assert "Traceback" not in out.getvalue()
    assert SIM_UNIFIED_API_SECRET not in out.getvalue()
