"""The exit status tells the truth about the venue: a live stop that could not confirm flat
exits 1 (even when the terminal went away too) and leaves the dead-man's switch armed."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from console.exit_status import ExitStatus
from tests.e2e.console_process import HOLD_POSITIONS, console, live_env
from tests.e2e.test_kill_switch_command import kill_switch_record, venue_position
from tests.e2e.test_terminal_gone import LIVE_RUN, how_runs_ended
from tests.waiting import eventually

pytestmark = pytest.mark.e2e


async def test_a_hang_up_whose_flatten_the_venue_refuses_exits_1_and_keeps_the_dead_man_armed(
    tmp_path: Path,
) -> None:
    async with KrakenFuturesSimServer(seed=4, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(server, tmp_path / "data", **HOLD_POSITIONS)
        async with console(*LIVE_RUN, env=env, cwd=tmp_path) as run:
            await eventually(lambda: venue_position(server) != 0, 30, what="a live position")
            held = venue_position(server)
            # The key loses its permissions: every cancel-all is refused (not retryable).
            server.faults.fail_rest("cancelallorders", times=1000, status=403)
            run.signal(signal.SIGHUP)
            status = await run.wait(90)
            assert status == ExitStatus.VENUE_MAY_HOLD, run.stderr
        assert venue_position(server) == held, "the venue still holds it, as the exit says"
        account = server.exchange.account(SIM_API_KEY)
        assert account.dead_man_deadline_ns is not None, "left armed: not confirmed flat"
    assert any(
        line.startswith("KILL SWITCH | NOT FLAT | NOT FLAT: venue error") for line in run.lines
    )
    assert "Traceback" not in run.stderr
    db = tmp_path / "data" / "l2console.sqlite"
    [(reason, phase, _)] = kill_switch_record(db)
    assert (reason, phase) == ("Shutdown: flatten", "failed")
    assert how_runs_ended(db) == ["hangup"]
