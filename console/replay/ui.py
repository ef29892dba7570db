"""``l2console replay FILE --ui``: a recording played in the Textual console, paused and stepped.

``RecordingHost`` is the console's ``SessionHost`` for a replay: a task plays the recording at
``speed`` x its recorded pace (the real clock only sets the pace; the engine sees recorded time)
and stops where it is told. ``ReplayConsole`` is the trading console with the replay's keys:

- ``space`` pauses and resumes the playback,
- ``n`` (paused) plays the next frame, ``s`` (paused) plays up to the next decision,
- the kill switch (``f``) and quit (``q``) work as in a paper run; going live, pausing
  entries and the latency histograms do not apply to a recording and are hidden;
- ``?`` shows these keys.

The status bar's badge reads REPLAY, its session field the playback: file, market time played of
the recording's length, share and speed (the length comes from a scan of the file in a worker
thread when the console starts). No latency is shown: the recorded clock stands still while a
frame is handled, so none is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Hashable
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content

from brokers.recording import RecordingError
from console.app import app as app_module
from console.app.app import L2ConsoleApp
from console.app.gates import GateProgress
from console.app.modes import Badge
from console.app.screens import HelpScreen
from console.app.widgets import GatePane, NoticeBar, StatusBar
from console.app.widgets.pane import fit
from console.app.widgets.status_bar import StatusFacts
from console.options import RunOptions
from console.replay.extent import RecordingExtent, scan_extent
from console.replay.result import ReplayResult
from console.replay.runner import ReplayPlayer
from core.dead_man import OFF_REPLAY, DeadManView
from core.engine_state import EngineState, KillSwitchPhase, KillSwitchStatus
from core.enums import Mode
from core.store import RunEnd

REPLAY_BADGE = Badge("REPLAY", "paper")
REPLAY_HELP = """\
[b]Replay keys[/b]
  [b]space[/b]     pause / play the recording (at --speed)
  [b]n[/b]         paused: play the next frame
  [b]s[/b]         paused: play up to and including the next decision
  [b]f[/b]         flatten the replay's paper position now (the kill switch);
              entries stay stopped for the rest of the replay
  [b]q[/b]         quit and print the REPLAY report; asks when a position is open
  [b]?[/b]         this help (esc closes)

[b]Status[/b]  REPLAY, the recording, market time played / its length, the
          share played and the speed (or paused, end). Latency is not
          measured in a replay: the recorded clock stands still while a
          frame is handled.
[b]Gate[/b]    a replay never counts toward the paper gate.
"""
FLAT_HINT = {KillSwitchPhase.FLAT: " · no more entries in this replay"}
FULL_SPEED_CHUNK = 2_000  # frames between redraw chances when playing as fast as possible
MAX_WAIT_S = 0.1  # a paced wait is cut in slices so pause and quit answer at once


class RecordingHost:
    """Plays a ``ReplayPlayer`` on the console's loop; pause, step, and stop with a result."""

    def __init__(self, player: ReplayPlayer, options: RunOptions, *, speed: float | None) -> None:
        self.player = player
        self.engine = player.engine
        self.options = options
        self.session_base = None  # a replay is never a session
        self.latency_measured = False  # the recorded clock stands still while a frame is handled
        self.speed = speed  # None: as fast as possible
        self.result: ReplayResult | None = None
        self._playing = asyncio.Event()
        self._restart_pace = True
        self._task: asyncio.Task[None] | None = None
        self.extent: RecordingExtent | None = None  # known once the scan is done
        self._scan: asyncio.Task[None] | None = None

    @property
    def paused(self) -> bool:
        return not self._playing.is_set()

    @property
    def finished(self) -> bool:
        return self.player.done

    def dead_man(self) -> DeadManView:
        return OFF_REPLAY  # a recording trades nowhere

    async def start(self) -> None:
        self._playing.set()
        self._task = asyncio.create_task(self._play(), name="replay playback")
        self._scan = asyncio.create_task(self._measure(), name="recording extent")

    async def _measure(self) -> None:
        try:
            self.extent = await asyncio.to_thread(scan_extent, self.player.path, self.player.symbol)
        except RecordingError:
            self.extent = None  # the playback reports what it cannot read

    def pause(self) -> None:
        self._playing.clear()

    def resume(self) -> None:
        self._restart_pace = True  # the pace counts from now, not from before the pause
        self._playing.set()

    def step(self) -> int:
        """One frame (only while paused); returns how many were played."""
        return self.player.step(1) if self.paused else 0

    def step_to_signal(self) -> int:
        """Up to and including the next decision (only while paused)."""
        return self.player.step_to_signal() if self.paused else 0

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        player = self.player
        anchor_recv, anchor_real = 0, 0.0
        while True:
            await self._playing.wait()
            next_recv = player.peek_recv_ns()
            if next_recv is None:
                return  # the end of the recording: the console stays up until quit
            if self.speed is None:
                player.step(FULL_SPEED_CHUNK)
                await asyncio.sleep(0)
                continue
            if self._restart_pace:
                anchor_recv, anchor_real = next_recv, loop.time()
                self._restart_pace = False
            wait = anchor_real + (next_recv - anchor_recv) / 1e9 / self.speed - loop.time()
            if wait > 0:
                await asyncio.sleep(min(wait, MAX_WAIT_S))
                continue
            player.step(1)

    async def set_mode(self, mode: Mode) -> None:
        self.engine.set_mode(mode)

    async def stop(
        self, *, flatten: bool, how: RunEnd = RunEnd.COMPLETED
    ) -> KillSwitchStatus | None:
        for task in (self._task, self._scan):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.result is None:
            self.result = await self.player.finish(flatten=flatten)
        return self.result.flatten

    def position_text(self) -> str:
        """``rec.l2rec 0:07/0:30 23% 1x`` / ``… paused`` / ``rec.l2rec end``: where the
        playback is in market time, of how long, and how it goes."""
        name = self.player.path.name
        if self.finished:
            return f"{name} end"
        extent = self.extent
        if extent is None or not self.player.frames:
            return f"{name} {self._pace()}"
        played_ns = max(0, self.player.clock.wall_ns() - extent.first_wall_ns)
        length_ns = extent.length_ns
        share = min(1.0, played_ns / length_ns) if length_ns else 1.0
        clock = f"{clock_text(played_ns)}/{clock_text(length_ns)}"
        return f"{name} {clock} {share:.0%} {self._pace()}"

    def _pace(self) -> str:
        if self.paused:
            return "paused"
        return "max" if self.speed is None else f"{self.speed:g}x"


def clock_text(ns: int) -> str:
    """``0:07``, ``12:30``, ``1:02:03``: market time, to the second."""
    minutes, seconds = divmod(ns // 1_000_000_000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class ReplayStatusBar(StatusBar):
    """The status bar with the REPLAY badge and the playback where the session name goes."""

    def __init__(self, host: RecordingHost, *, id: str | None = None) -> None:
        super().__init__(id=id, latency_measured=False, session_label="")
        self._host = host

    def status_facts(
        self, state: EngineState, badge: Badge, frames_per_s: float | None, session: str
    ) -> StatusFacts:
        return super().status_facts(state, REPLAY_BADGE, frames_per_s, self._host.position_text())


class ReplayGatePane(GatePane):
    """A replay never counts toward a gate: the pane says so instead of a progress."""

    NOT_COUNTED = ("replay: never counts", "toward the paper gate")

    def show_gate(self, progress: GateProgress | None) -> bool:
        return self.show_facts(("replay", None))

    def title(self, facts: Hashable) -> str | None:
        return "Gate"

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        return [Content.styled(fit(line, width), ".pane--muted") for line in self.NOT_COUNTED]


class ReplayConsole(L2ConsoleApp):
    # Relative paths resolve against the subclass's module: point at the console's own sheet.
    CSS_PATH = str(Path(app_module.__file__).with_name("console.tcss"))
    # Short labels, ^k hidden (f is the same kill switch): the footer fits 80 columns.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "flatten", "Flatten", priority=True),
        Binding("ctrl+k", "kill_switch", "Kill switch", show=False, priority=True),
        Binding("space", "pause_playback", "Pause"),
        Binding("space", "play", "Play"),
        Binding("n", "step", "Step"),
        Binding("s", "next_signal", "Next signal"),
    ]
    _NOT_FOR_A_RECORDING = frozenset({"go_live", "go_dry", "pause", "resume", "latency"})

    def __init__(self, host: RecordingHost, **kwargs: object) -> None:
        super().__init__(host, session_name="replay", **kwargs)  # type: ignore[arg-type]
        self.replay_host = host
        self.status_bar = ReplayStatusBar(host, id="status")
        self.gate = ReplayGatePane(id="gate")
        self.notice = NoticeBar(id="notice", hints=FLAT_HINT)
        self._announced_end = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        host = self.replay_host
        if action in self._NOT_FOR_A_RECORDING:
            return False
        if action == "pause_playback":
            return not host.paused and not host.finished
        if action == "play":
            return host.paused and not host.finished
        if action in ("step", "next_signal"):
            return host.paused and not host.finished
        return super().check_action(action, parameters)

    def redraw(self) -> None:
        super().redraw()
        if self.replay_host.finished and not self._announced_end:
            self._announced_end = True
            self.say("end of the recording: q quits and prints the report")
            self.refresh_bindings()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(REPLAY_HELP))

    def action_pause_playback(self) -> None:
        self.replay_host.pause()
        self._after_command()

    def action_play(self) -> None:
        self.replay_host.resume()
        self._after_command()

    def action_step(self) -> None:
        self.replay_host.step()
        self._after_command()

    def action_next_signal(self) -> None:
        if not self.replay_host.step_to_signal():
            self.say("no further decision in the recording")
        self._after_command()

    def _after_command(self) -> None:
        self.refresh_bindings()
        self.redraw()
