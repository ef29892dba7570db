"""Kraken Futures' dead-man's switch (``cancelallordersafter``), armed and kept armed.

The docs (Trading › Dead man's switch): send a timeout in seconds and the venue cancels every
order of the account when it expires; keep sending to push it back, send 0 to switch it off.
Recommended: a 60 s timeout refreshed every 15–20 s. So a console that crashes, hangs or loses
its network leaves no resting order behind for longer than the timeout.

``DeadMansSwitch.start()`` arms it once (a failure there stops a live start: better not to trade
than to trade without the net) and starts one owned task, ``kraken-futures-dead-man``, that
refreshes it. A refresh that fails is logged, reported and retried after a short pause; the
switch itself still fires at the venue if we stay unreachable, which is the point.
``stop()`` cancels the task and disarms (timeout 0) on a clean exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.ports import VenueError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 60
DEFAULT_REFRESH_S = 15.0
RETRY_AFTER_FAILURE_S = 2.0


class DeadManVenue(Protocol):
    """Who arms the switch: REST v3 ``cancelallordersafter`` or the Unified socket's
    ``cancel_all_orders_after``; both return the venue's trigger time."""

    async def cancel_all_orders_after(self, timeout_s: int) -> str: ...


@dataclass(slots=True)
class DeadMansSwitchStats:
    arms: int = 0  # successful calls with a timeout (the first arm and every refresh)
    failures: int = 0
    disarmed: bool = False
    trigger_time: str = ""  # the venue's answer to the last successful arm


class DeadMansSwitch:
    def __init__(
        self,
        rest: DeadManVenue,
        *,
        timeout_s: int = DEFAULT_TIMEOUT_S,
        refresh_s: float = DEFAULT_REFRESH_S,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        if timeout_s < 1 or not 0 < refresh_s < timeout_s:
            raise ValueError("the dead-man's switch needs 0 < refresh_s < timeout_s")
        self._rest = rest
        self._timeout_s = int(timeout_s)
        self._refresh_s = refresh_s
        self._on_problem = on_problem
        self._task: asyncio.Task[None] | None = None
        self.stats = DeadMansSwitchStats()

    def __repr__(self) -> str:
        return f"DeadMansSwitch(timeout_s={self._timeout_s}, refresh_s={self._refresh_s:g})"

    @property
    def armed(self) -> bool:
        return self._task is not None and not self._task.done()

    def report_to(self, on_problem: Callable[[str], None]) -> None:
        """Where refresh failures are reported (the engine's notices, once it exists)."""
        self._on_problem = on_problem

    async def start(self) -> None:
        """Arm now (raises ``VenueError`` if the venue refuses) and keep it armed."""
        if self.armed:
            return
        await self._arm()
        self._task = asyncio.create_task(self._refresh_forever(), name="kraken-futures-dead-man")

    async def stop(self, *, disarm: bool = True) -> None:
        """Stop refreshing; ``disarm`` (a clean exit) switches it off at the venue too."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if disarm and self.stats.arms:
            try:
                await self._rest.cancel_all_orders_after(0)
                self.stats.disarmed = True
            except VenueError as exc:
                log.warning("Kraken Futures: could not disarm the dead-man's switch: %s", exc)

    async def _arm(self) -> None:
        self.stats.trigger_time = await self._rest.cancel_all_orders_after(self._timeout_s)
        self.stats.arms += 1

    async def _refresh_forever(self) -> None:
        pause = self._refresh_s
        while True:
            await asyncio.sleep(pause)
            try:
                await self._arm()
                pause = self._refresh_s
            except VenueError as exc:
                self.stats.failures += 1
                text = f"dead-man's switch refresh failed ({exc}); retrying"
                log.warning("Kraken Futures: %s", text)
                if self._on_problem is not None:
                    self._on_problem(text)
                pause = min(RETRY_AFTER_FAILURE_S, self._refresh_s)
