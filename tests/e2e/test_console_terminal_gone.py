"""The console (Textual) on a terminal that goes away, as a real process on a pty, trading live
on the sim: a stop, never a crash, and the venue (asked, not the ledger) flat afterwards."""

from __future__ import annotations

import asyncio
import fcntl
import os
import struct
import sys
import termios
from pathlib import Path

import pytest

from brokers.sim import KrakenFuturesSimServer
from console.exit_status import ExitStatus
from tests.e2e.conftest import l2console_argv
from tests.e2e.console_process import HOLD_POSITIONS, LIVE_FLAGS, live_env
from tests.e2e.test_kill_switch_command import kill_switch_record, venue_position
from tests.e2e.test_terminal_gone import SHUTDOWN_FLAT, assert_venue_flat, how_runs_ended
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

# Run the console as the leader of a new session whose controlling terminal is the pty on its
# stdin, as a login shell's job is: closing the pty's master is then a real hang-up (SIGHUP).
WITH_CONTROLLING_TTY = (
    "import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


class Terminal:
    """A pty whose screen output is drained (a terminal that reads), until it hangs up."""

    def __init__(self, columns: int = 120, rows: int = 40) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.screen = bytearray()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.master, self._drain)

    def _drain(self) -> None:
        try:
            self.screen += os.read(self.master, 65536)
        except OSError:
            self._loop.remove_reader(self.master)

    def hang_up(self) -> None:
        if self.master >= 0:
            self._loop.remove_reader(self.master)
            os.close(self.master)
            self.master = -1

    def close(self) -> None:
        self.hang_up()
        if self.slave >= 0:
            os.close(self.slave)
            self.slave = -1


@pytest.mark.parametrize(
    "controlling_tty",
    [True, False],
    ids=["hang-up-with-SIGHUP", "terminal-gone-without-a-signal"],
)
async def test_the_console_whose_terminal_goes_away_flattens_live_and_exits_3(
    tmp_path: Path, controlling_tty: bool
) -> None:
    """With the pty as its controlling terminal the console gets SIGHUP; without, it only finds
    that the screen can no longer be written (EIO) — the same stop either way."""
    async with KrakenFuturesSimServer(seed=4, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(server, tmp_path / "data", **HOLD_POSITIONS, TERM="xterm-256color")
        terminal = Terminal()
        argv = l2console_argv(
            "run", "--broker", "kraken", "--live", "--session", "desk-tty", *LIVE_FLAGS,
            env_file=tmp_path / "absent.env",
        )  # fmt: skip
        try:
            launcher = (sys.executable, "-c", WITH_CONTROLLING_TTY) if controlling_tty else ()
            proc = await asyncio.create_subprocess_exec(
                *launcher,
                *argv if not controlling_tty else argv[1:],
                cwd=tmp_path,
                start_new_session=not controlling_tty,  # no controlling terminal: no SIGHUP
                env=env,
                stdin=terminal.slave,
                stderr=terminal.slave,  # Textual draws on stderr
                stdout=asyncio.subprocess.PIPE,  # where the summary goes once the console closed
            )
            assert proc.stdout is not None
            summary = asyncio.create_task(proc.stdout.read(), name="console stdout")
            try:
                await eventually(lambda: b"Flatten all" in terminal.screen, 60, what="the console")
                await eventually(lambda: venue_position(server) != 0, 30, what="a live position")
                terminal.hang_up()  # the SSH connection dropped
                status = await asyncio.wait_for(proc.wait(), 90)
                stdout = (await asyncio.wait_for(summary, 10)).decode()
                assert status == ExitStatus.TERMINAL_LOST, stdout
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
                summary.cancel()
        finally:
            terminal.close()
        assert_venue_flat(server)
    lines = stdout.splitlines()
    assert "SESSION SUMMARY" in lines
    assert "Kill switch: flat confirmed by the venue" in lines
    db = tmp_path / "data" / "l2console.sqlite"
    assert kill_switch_record(db) == [SHUTDOWN_FLAT]
    assert how_runs_ended(db) == ["hangup"]
