"""The terminal going away is a stop, never a crash: SIGHUP, a closed stdout pipe, a full disk
and a console whose terminal hangs up, each as a real ``l2console`` process trading live on the
sim. The venue is asked afterwards (not the console's ledger): it must be flat.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from brokers.sim.market.orders import OrderState
from console.exit_status import ExitStatus
from tests.e2e.conftest import FAST_SIM, clean_env, l2console_argv
from tests.e2e.console_process import (
    HOLD_POSITIONS,
    LIVE_FLAGS,
    ConsoleProcess,
    console,
    live_env,
)
from tests.e2e.test_kill_switch_command import kill_switch_record, venue_position
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

LIVE_RUN = ("run", "--broker", "kraken", "--live", "--no-ui", "--session", "desk-hup", *LIVE_FLAGS)
SHUTDOWN_FLAT = ("Shutdown: flatten", "flat", "flat confirmed by the venue")


def how_runs_ended(db: Path) -> list[str | None]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT how_ended FROM runs ORDER BY id")]


def assert_venue_flat(server: KrakenFuturesSimServer) -> None:
    assert venue_position(server) == 0, "the venue still holds a position"
    account = server.exchange.account(SIM_API_KEY)
    assert not [o for o in account.orders.values() if o.state is OrderState.OPEN]


async def test_sighup_in_live_mode_flattens_at_the_venue_records_the_end_and_exits_3(
    tmp_path: Path,
) -> None:
    async with KrakenFuturesSimServer(seed=4, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(server, tmp_path / "data", **HOLD_POSITIONS)
        async with console(*LIVE_RUN, env=env, cwd=tmp_path) as run:
            await eventually(lambda: venue_position(server) != 0, 30, what="a live position")
            run.signal(signal.SIGHUP)
            await run.line(r"^NOTICE \| KILL SWITCH engaged \(Shutdown: flatten\)")
            run.signal(signal.SIGTERM)  # impatience cuts nothing short
            run.signal(signal.SIGINT)
            status = await run.wait(90)
            assert status == ExitStatus.TERMINAL_LOST, run.stderr
        assert_venue_flat(server)
    assert "NOTICE | SIGHUP received: stopping" in run.lines
    assert any(line.startswith("NOTICE | SIGTERM again: still stopping") for line in run.lines)
    assert "KILL SWITCH | FLAT | flat confirmed by the venue" in run.lines
    assert "SESSION SUMMARY" in run.lines
    assert "Traceback" not in run.stderr
    db = tmp_path / "data" / "l2console.sqlite"
    assert kill_switch_record(db) == [SHUTDOWN_FLAT]
    assert how_runs_ended(db) == ["hangup"]


@contextlib.asynccontextmanager
async def console_on_a_pipe(
    *args: str, env: dict[str, str], cwd: Path
) -> AsyncIterator[tuple[ConsoleProcess, asyncio.BaseTransport]]:
    """``l2console ARGS`` whose stdout is a pipe the test reads and can close (``| head``)."""
    loop = asyncio.get_running_loop()
    read_fd, write_fd = os.pipe()
    try:
        proc = await asyncio.create_subprocess_exec(
            *l2console_argv(*args, env_file=cwd / "absent.env"),
            cwd=cwd,
            env=env,
            stdout=write_fd,
            stderr=asyncio.subprocess.PIPE,
        )
    finally:
        os.close(write_fd)
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", 0)
    )
    process = ConsoleProcess(proc, stdout=reader)
    try:
        yield process, transport
    finally:
        transport.close()
        await process.close()


async def test_a_closed_stdout_pipe_in_live_mode_is_a_stop_the_summary_goes_to_stderr(
    tmp_path: Path,
) -> None:
    async with KrakenFuturesSimServer(seed=4, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(server, tmp_path / "data", **HOLD_POSITIONS)
        async with console_on_a_pipe(*LIVE_RUN, env=env, cwd=tmp_path) as (run, stdout):
            await run.line(r"^Control: l2console flatten")
            await eventually(lambda: venue_position(server) != 0, 30, what="a live position")
            stdout.close()  # `| head` exited: the next STATE line (every second) cannot go out
            status = await run.wait(90)
            assert status == ExitStatus.TERMINAL_LOST, run.stderr
        assert_venue_flat(server)
    errors = run.err_lines
    assert "NOTICE | stdout lost (Broken pipe): stopping" in errors
    assert "KILL SWITCH | FLAT | flat confirmed by the venue" in errors
    assert "SESSION SUMMARY" in errors and "Position: flat" in errors
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr
    db = tmp_path / "data" / "l2console.sqlite"
    assert kill_switch_record(db) == [SHUTDOWN_FLAT]
    assert how_runs_ended(db) == ["hangup"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
async def test_stdout_on_a_full_disk_stops_the_run_and_says_so_on_stderr(tmp_path: Path) -> None:
    db = tmp_path / "data" / "paper.db"
    env = clean_env({**FAST_SIM, "L2CONSOLE_DB": str(db)})
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        proc = await asyncio.create_subprocess_exec(
            *l2console_argv(
                "run", "--paper", "--no-ui", "--session", "full", env_file=tmp_path / "absent.env"
            ),
            cwd=tmp_path,
            env=env,
            stdout=full,
            stderr=asyncio.subprocess.PIPE,
        )
    finally:
        os.close(full)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    errors = err.decode()
    assert proc.returncode == ExitStatus.TERMINAL_LOST, errors
    assert "NOTICE | stdout lost (No space left on device): stopping" in errors
    assert "SESSION SUMMARY" in errors
    assert "Traceback" not in errors
    assert how_runs_ended(db) == ["hangup"]


async def test_a_closed_stderr_neither_crashes_nor_floods_the_run_stops_and_says_so_on_stdout(
    tmp_path: Path,
) -> None:
    """``-v`` logs to stderr from the first book update: its first line finds the pipe closed."""
    db = tmp_path / "data" / "paper.db"
    env = clean_env({**FAST_SIM, "L2CONSOLE_DB": str(db)})
    read_fd, write_fd = os.pipe()
    os.close(read_fd)  # a dead `2>&1 | tee` on stderr
    try:
        proc = await asyncio.create_subprocess_exec(
            *l2console_argv(
                "-v", "run", "--paper", "--no-ui", "--session", "noerr",
                env_file=tmp_path / "absent.env",
            ),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=write_fd,
        )  # fmt: skip
    finally:
        os.close(write_fd)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    lines = out.decode().splitlines()
    assert proc.returncode == ExitStatus.TERMINAL_LOST, lines
    assert "NOTICE | stderr lost (Broken pipe): stopping" in lines
    assert "SESSION SUMMARY" in lines
    assert not any("Logging error" in line or "Traceback" in line for line in lines)
    assert how_runs_ended(db) == ["hangup"]
