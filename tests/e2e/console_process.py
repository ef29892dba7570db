"""``l2console`` as a real subprocess, its output read line by line while it runs.

For tests that signal, kill -9 or flatten a running console. The sim venue runs in the test's
own event loop; the console reaches it through the endpoint overrides, as a user would reach
``l2console sim``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from tests.e2e.conftest import clean_env, l2console_argv
from tests.waiting import eventually

LIVE_FLAGS = ("--i-understand-this-is-real-money", "--skip-checklist")
"""``--broker kraken --live`` is real money (no demo since 14 July 2026): the door's flags."""

# Once in, stay in: only the kill switch (or a reconciliation) closes a position.
HOLD_POSITIONS = {
    "TAKE_PROFIT_PCT": "50",
    "STOP_LOSS_PCT": "50",
    "MAX_HOLD_SECONDS": "86400",
    "REVERSAL_IMBALANCE_RATIO": "1000000",
}


def live_env(server: KrakenFuturesSimServer, data_dir: Path, **extra: str) -> dict[str, str]:
    """A live console pointed at ``server`` (v1 protocol), with fast settings.

    Kraken has no demo any more: ``--live`` there is real money, so a live run also needs
    ``LIVE_FLAGS`` (the sim's fake keys trade nothing real)."""
    return clean_env(
        {
            "KRAKEN_API_KEY": SIM_API_KEY,
            "KRAKEN_API_SECRET": SIM_API_SECRET,
            "KRAKEN_PROTOCOL": "v1",  # the v1 adapter against the v1 sim
            "KRAKEN_FUTURES_WS_URL": server.ws_url,
            "KRAKEN_FUTURES_REST_URL": server.rest_url,
            "L2CONSOLE_DB": str(data_dir / "l2console.sqlite"),
            "ACCOUNT_LOCK_DIR": str(data_dir.parent / "account-locks"),  # shared by the test's runs
            "COOLDOWN_SECONDS": "0.5",
            "STATE_INTERVAL_SECONDS": "1",
            "MAX_TRADES_PER_DAY": "10000",
            **extra,
        }
    )


class ConsoleProcess:
    def __init__(
        self, proc: asyncio.subprocess.Process, stdout: asyncio.StreamReader | None = None
    ) -> None:
        """``stdout``: read from there when the process's stdout is not ``proc.stdout``."""
        self.proc = proc
        self.lines: list[str] = []
        self.err_lines: list[str] = []
        stdout = stdout or proc.stdout
        assert stdout is not None and proc.stderr is not None
        self._readers = [
            asyncio.create_task(self._collect(stdout, self.lines), name="console stdout"),
            asyncio.create_task(self._collect(proc.stderr, self.err_lines), name="console stderr"),
        ]

    @classmethod
    async def start(cls, *args: str, env: Mapping[str, str], cwd: Path) -> ConsoleProcess:
        proc = await asyncio.create_subprocess_exec(
            *l2console_argv(*args, env_file=cwd / "absent.env"),
            cwd=cwd,
            env=dict(env),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    @staticmethod
    async def _collect(stream: asyncio.StreamReader, into: list[str]) -> None:
        while line := await stream.readline():
            into.append(line.decode(errors="replace").rstrip("\n"))

    @property
    def stdout(self) -> str:
        return "\n".join(self.lines)

    @property
    def stderr(self) -> str:
        return "\n".join(self.err_lines)

    async def line(self, pattern: str, timeout_s: float = 30) -> re.Match[str]:
        """The first output line matching ``pattern`` (waits for it, bounded)."""
        regex = re.compile(pattern)

        def found() -> re.Match[str] | None:
            return next((m for m in map(regex.search, self.lines) if m), None)

        try:
            await eventually(found, timeout_s, what=f"a line matching {pattern!r}")
        except TimeoutError:
            raise AssertionError(
                f"no line matching {pattern!r}; stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
            ) from None
        match = found()
        assert match is not None
        return match

    def signal(self, sig: signal.Signals) -> None:
        self.proc.send_signal(sig)

    async def wait(self, timeout_s: float = 60) -> int:
        code = await asyncio.wait_for(self.proc.wait(), timeout_s)
        await asyncio.wait_for(asyncio.gather(*self._readers), 10)
        return code

    async def close(self) -> None:
        """Kill it if still running and reap it (a test's cleanup)."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        with contextlib.suppress(TimeoutError):
            await self.wait(10)
        for task in self._readers:
            task.cancel()


@contextlib.asynccontextmanager
async def console(*args: str, env: Mapping[str, str], cwd: Path) -> AsyncIterator[ConsoleProcess]:
    process = await ConsoleProcess.start(*args, env=env, cwd=cwd)
    try:
        yield process
    finally:
        await process.close()


SIGNAL_LINE = re.compile(r"^SIGNAL #\d+: (\w+) .*Reason: (.*?)( \| BLOCKED.*| \| ignored.*)?$")
BOOK_LINE = re.compile(r"^BOOK \| \S+ (LIVE|SYNCING|STALE) ")
KILL_SWITCH_REASONS = ("Kill switch", "Shutdown", "Flatten command", "Start-up", "book not LIVE")


def decisions_on_a_book_not_live(lines: list[str]) -> list[str]:
    """Strategy decisions printed while the last printed book state was not LIVE.

    The headless printer writes synchronously in the engine's order of events, so the output is
    a faithful trace: the book is LIVE after "Order book snapshot loaded" or "BOOK | … LIVE".
    """
    live = False
    bad = []
    for line in lines:
        if line.startswith("Order book snapshot loaded"):
            live = True
        elif book := BOOK_LINE.match(line):
            live = book.group(1) == "LIVE"
        elif (
            (decision := SIGNAL_LINE.match(line))
            and not live
            and not decision.group(2).startswith(KILL_SWITCH_REASONS)
        ):
            bad.append(line)
    return bad
