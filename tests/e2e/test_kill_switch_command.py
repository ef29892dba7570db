"""The kill switch from outside: ``l2console flatten --session NAME`` reaching a running headless
console, and SIGINT/SIGTERM with ``POSITION_ON_EXIT``, each as real processes."""

from __future__ import annotations

import re
import signal
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from brokers.sim.market.orders import OrderState
from tests.e2e.conftest import FAST_SIM, clean_env
from tests.e2e.console_process import (
    HOLD_POSITIONS,
    LIVE_FLAGS,
    ConsoleProcess,
    console,
    decisions_on_a_book_not_live,
    live_env,
)
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

XBT = "PF_XBTUSD"


def venue_position(server: KrakenFuturesSimServer) -> Decimal:
    position = server.exchange.account(SIM_API_KEY).positions.get(XBT)
    return Decimal(0) if position is None else position.size


def kill_switch_record(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT reason, phase, detail FROM kill_switch_events ORDER BY id"
        ).fetchall()


async def flatten(session: str, env: dict[str, str], cwd: Path) -> ConsoleProcess:
    process = await ConsoleProcess.start("flatten", "--session", session, env=env, cwd=cwd)
    await process.wait(90)
    return process


async def test_flatten_command_reaches_a_running_live_session_and_prints_the_venues_word(
    tmp_path: Path,
) -> None:
    async with KrakenFuturesSimServer(seed=4, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(server, tmp_path / "data", **HOLD_POSITIONS)
        run = ("run", "--broker", "kraken", "--live", "--no-ui", "--session", "desk-1", *LIVE_FLAGS)
        async with console(*run, env=env, cwd=tmp_path) as session:
            await session.line(r"^Control: l2console flatten --session desk-1 \(kill switch\)")
            await eventually(lambda: venue_position(server) != 0, 30, what="a position")

            second = await ConsoleProcess.start(*run, env=env, cwd=tmp_path)
            assert await second.wait(60) == 2
            assert "session 'desk-1' is already running" in second.stderr

            command = await flatten("desk-1", env, tmp_path)
            assert command.proc.returncode == 0, command.stderr
            assert command.lines[-1] == (
                "FLAT: flat confirmed by the venue (desk-1: PF_XBTUSD on Kraken Futures v1)"
            )
            assert any(line.startswith("FLATTEN | KILL SWITCH engaged") for line in command.lines)
            assert venue_position(server) == 0
            await session.line(r"^KILL SWITCH \| FLAT \| flat confirmed by the venue$")
            await session.line(r"BLOCKED: kill switch engaged", timeout_s=30)
            assert venue_position(server) == 0, "engaged: no new entry after the flatten"
            session.signal(signal.SIGINT)
            assert await session.wait() == 0, session.stderr
        assert "SIGINT received: stopping" in session.stdout
        assert re.search(r"SIGNAL #\d+: CLOSE .* Reason: Flatten command", session.stdout)
        assert not decisions_on_a_book_not_live(session.lines)
        account = server.exchange.account(SIM_API_KEY)
        assert not [o for o in account.orders.values() if o.state is OrderState.OPEN]
        assert not (tmp_path / "data" / "control" / "desk-1.sock").exists(), "cleaned up"
        assert kill_switch_record(tmp_path / "data" / "l2console.sqlite") == [
            ("Flatten command (l2console flatten)", "flat", "flat confirmed by the venue"),
            ("Shutdown: flatten", "flat", "flat confirmed by the venue"),
        ], "printed, shown, and stored with the session"

        gone = await flatten("desk-1", env, tmp_path)
        assert gone.proc.returncode == 2
        assert len(gone.err_lines) == 1 and "session 'desk-1' is not running" in gone.stderr


async def test_flatten_command_works_for_a_paper_session_too(tmp_path: Path) -> None:
    env = clean_env({**FAST_SIM, **HOLD_POSITIONS, "L2CONSOLE_DB": str(tmp_path / "d" / "x.db")})
    async with console(
        "run", "--paper", "--no-ui", "--session", "paper.1", env=env, cwd=tmp_path
    ) as session:
        await session.line(r"^SIGNAL #\d+: (BUY|SELL) (?!.*BLOCKED)")
        command = await flatten("paper.1", env, tmp_path)
        assert command.proc.returncode == 0, command.stderr
        assert command.lines[-1].startswith("FLAT: flat confirmed (simulated) (paper.1: ")
        session.signal(signal.SIGTERM)
        assert await session.wait() == 0
    assert "Position: flat" in session.stdout
    [flatten_row, *_] = kill_switch_record(tmp_path / "d" / "x.db")
    assert flatten_row == (
        "Flatten command (l2console flatten)",
        "flat",
        "flat confirmed (simulated)",
    )


async def test_position_on_exit_leave_keeps_the_position_on_sigterm(tmp_path: Path) -> None:
    env = clean_env({**FAST_SIM, **HOLD_POSITIONS, "POSITION_ON_EXIT": "leave"})
    async with console("run", "--paper", "--no-ui", env=env, cwd=tmp_path) as session:
        await session.line(r"^SIGNAL #\d+: (BUY|SELL) (?!.*BLOCKED)")
        session.signal(signal.SIGTERM)
        assert await session.wait() == 0
    assert re.search(r"^Position: (LONG|SHORT) ", session.stdout, re.MULTILINE)
    assert "Shutdown: flatten" not in session.stdout
    assert "Kill switch:" not in session.stdout


async def test_a_bad_session_name_is_one_line(tmp_path: Path) -> None:
    env = clean_env(FAST_SIM)
    for args in (("flatten", "--session", "../etc"), ("run", "--no-ui", "--session", "a b")):
        process = await ConsoleProcess.start(*args, env=env, cwd=tmp_path)
        assert await process.wait() == 2
        assert len(process.err_lines) == 1 and "bad session name" in process.stderr
