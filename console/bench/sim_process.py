"""The simulated venue in its own process (``l2console sim``), as a remote venue would be.

Its work (stepping the market, encoding and sending frames) then never shares the engine's
event loop, so what the benchmark measures is the console's side alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from brokers.venue import VenueSpec
from console.bench.frames import live_bench_venue

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0


class SimStartError(Exception):
    """The simulated venue did not come up; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class SimEndpoints:
    ws_url: str
    rest_url: str


class SimVenueProcess:
    """``async with SimVenueProcess.serving(rate_hz=2000, ...) as sim: ...sim.endpoints...``

    The process is stopped on the way out, and also when entering fails or is cancelled.
    """

    def __init__(self, argv: list[str], venue: VenueSpec | None = None) -> None:
        """``argv`` starts a simulated ``venue`` (default: the benchmarked one) that prints
        ``<its WS URL setting>=<url>`` and ``<its REST URL setting>=<url>`` once it listens, as
        ``l2console sim`` does."""
        venue = venue or live_bench_venue()
        self._argv = argv
        self._ws_prefix = f"{venue.ws_url_setting}="
        self._rest_prefix = f"{venue.rest_url_setting}="
        self._proc: asyncio.subprocess.Process | None = None
        self.endpoints = SimEndpoints("", "")

    @classmethod
    def serving(
        cls, venue: VenueSpec, *, rate_hz: float, seed: int, env_file: Path
    ) -> SimVenueProcess:
        """``l2console sim`` speaking ``venue``'s protocol on an ephemeral port, with no edge (the
        imbalance predicts nothing)."""
        return cls(
            [
                sys.executable,
                "-m",
                "console.cli",
                "--env-file",
                str(env_file),
                "sim",
                "--protocol",
                venue.name,
                "--port",
                "0",
                "--rate",
                f"{rate_hz:g}",
                "--seed",
                str(seed),
                "--edge",
                "0",
            ],
            venue,
        )

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        """Started and not yet reaped."""
        return self._proc is not None and self._proc.returncode is None

    async def __aenter__(self) -> SimVenueProcess:
        self._proc = await asyncio.create_subprocess_exec(
            *self._argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                self.endpoints = await self._read_endpoints()
        except TimeoutError:
            await self.stop()
            raise SimStartError(
                f"the simulated venue did not start within {START_TIMEOUT_S:g} s"
            ) from None
        except BaseException:  # a start-up failure, or cancelled (SIGTERM) while waiting
            await asyncio.shield(self.stop())
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _read_endpoints(self) -> SimEndpoints:
        assert self._proc is not None and self._proc.stdout is not None
        ws_url = rest_url = ""
        while not (ws_url and rest_url):
            line = (await self._proc.stdout.readline()).decode().strip()
            if not line:
                raise SimStartError(f"the simulated venue exited: {await self._stderr_line()}")
            if line.startswith(self._ws_prefix):
                ws_url = line.removeprefix(self._ws_prefix)
            elif line.startswith(self._rest_prefix):
                rest_url = line.removeprefix(self._rest_prefix)
        return SimEndpoints(ws_url, rest_url)

    async def _stderr_line(self) -> str:
        assert self._proc is not None and self._proc.stderr is not None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_TIMEOUT_S):
                err = await self._proc.stderr.read()
            lines = err.decode(errors="replace").strip().splitlines()
            if lines:
                return lines[-1]
        return f"exit status {self._proc.returncode}"

    async def stop(self) -> None:
        """SIGTERM (the sim stops cleanly on it), then SIGKILL if it lingers. Safe twice."""
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await proc.communicate()
        except TimeoutError:
            proc.kill()
            await proc.wait()
