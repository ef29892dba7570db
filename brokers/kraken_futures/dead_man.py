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

Fired: once the switch fires it stays off until the next request (Unified docs), so the next
refresh that reaches the venue is what re-arms it, and its answer tells whether it came too late:
the venue's trigger time is its clock plus the timeout, so the venue's clock when it took this
refresh is ``triggerTime - timeout``; past the last ``triggerTime`` confirmed, the switch had
FIRED (every order of the account canceled) and this refresh re-armed it. One clock, the venue's,
so no skew can fake it (whole seconds: a firing in the last second before may go unseen). Also
seen by our own clock: a refresh called more than ``timeout_s`` after the venue's last
confirmation (which came back after the venue set its deadline) arrived late. When a refresh in
between lost its answer (it may have reached the venue in time), it only "may have fired".
Reported as a notice and kept (``stats.fired_at``, the venue's trigger time) for the display.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from brokers.net.errors import VenueAnswerLost
from core.dead_man import DeadManPhase, DeadManView
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
    confirmed_wall_ns: int | None = None  # when that answer came back (our wall clock)
    failures_in_a_row: int = 0
    fired: int = 0  # firings seen (each re-armed by the refresh that saw it)
    fired_at: str = ""  # the venue's trigger time of the last firing seen
    fired_surely: bool = True  # False: it may have fired (a refresh's answer was lost)
    unsure_since_ns: int | None = None  # first refresh since the confirmation, answer lost


class DeadMansSwitch:
    def __init__(
        self,
        rest: DeadManVenue,
        *,
        timeout_s: int = DEFAULT_TIMEOUT_S,
        refresh_s: float = DEFAULT_REFRESH_S,
        on_problem: Callable[[str], None] | None = None,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        if timeout_s < 1 or not 0 < refresh_s < timeout_s:
            raise ValueError("the dead-man's switch needs 0 < refresh_s < timeout_s")
        self._rest = rest
        self._timeout_s = int(timeout_s)
        self._refresh_s = refresh_s
        self._on_problem = on_problem
        self._wall_ns = wall_ns
        self._task: asyncio.Task[None] | None = None
        self.stats = DeadMansSwitchStats()

    def __repr__(self) -> str:
        return f"DeadMansSwitch(timeout_s={self._timeout_s}, refresh_s={self._refresh_s:g})"

    @property
    def armed(self) -> bool:
        return self._task is not None and not self._task.done()

    def view(self) -> DeadManView:
        """The switch as the console shows it (``core.dead_man``)."""
        stats = self.stats
        if not self.armed:
            return DeadManView(DeadManPhase.OFF, why="not armed")
        return DeadManView(
            DeadManPhase.ARMED,
            timeout_s=self._timeout_s,
            refreshed_wall_ns=stats.confirmed_wall_ns,
            failures=stats.failures_in_a_row,
            fired_at=stats.fired_at,
            fired_surely=stats.fired_surely,
        )

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
        self.stats.confirmed_wall_ns = None  # a later start begins afresh (no false "fired")
        self.stats.unsure_since_ns = None
        self.stats.failures_in_a_row = 0
        if disarm and self.stats.arms:
            try:
                await self._rest.cancel_all_orders_after(0)
                self.stats.disarmed = True
            except VenueError as exc:
                log.warning("Kraken Futures: could not disarm the dead-man's switch: %s", exc)

    async def _arm(self) -> None:
        stats = self.stats
        sent_ns = self._wall_ns()
        try:
            trigger_time = await self._rest.cancel_all_orders_after(self._timeout_s)
        except VenueAnswerLost:
            if stats.unsure_since_ns is None:  # it may have reached the venue
                stats.unsure_since_ns = sent_ns
            raise
        confirmed, timeout_ns = stats.confirmed_wall_ns, self._timeout_s * 1_000_000_000
        if confirmed is not None and (
            sent_ns - confirmed > timeout_ns
            or _seconds_between(stats.trigger_time, trigger_time) > self._timeout_s
        ):
            unsure = stats.unsure_since_ns
            self._fired(
                stats.trigger_time, surely=unsure is None or unsure - confirmed > timeout_ns
            )
        stats.trigger_time = trigger_time
        stats.confirmed_wall_ns = self._wall_ns()
        stats.failures_in_a_row = 0
        stats.unsure_since_ns = None
        stats.arms += 1

    def _fired(self, trigger_time: str, *, surely: bool) -> None:
        self.stats.fired += 1
        self.stats.fired_at = trigger_time or "?"
        self.stats.fired_surely = surely
        when = trigger_time or "an unknown time"
        how = (
            f"FIRED at {when}: no refresh reached the venue in time"
            if surely
            else f"may have FIRED at {when}: no refresh was confirmed in time"
        )
        text = f"dead man's switch {how}, so it canceled every open order; re-armed now"
        log.warning("Kraken Futures: %s", text)
        if self._on_problem is not None:
            self._on_problem(text)

    async def _refresh_forever(self) -> None:
        pause = self._refresh_s
        while True:
            await asyncio.sleep(pause)
            try:
                await self._arm()
                pause = self._refresh_s
            except VenueError as exc:
                self.stats.failures += 1
                self.stats.failures_in_a_row += 1
                text = f"dead-man's switch refresh failed ({exc}); retrying"
                log.warning("Kraken Futures: %s", text)
                if self._on_problem is not None:
                    self._on_problem(text)
                pause = min(RETRY_AFTER_FAILURE_S, self._refresh_s)


def _seconds_between(earlier: str, later: str) -> float:
    """Seconds from one venue time (RFC 3339) to another; 0 when either cannot be read."""
    try:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()
    except (ValueError, TypeError):
        return 0.0
