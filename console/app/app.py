"""The Textual console: the engine's state on screen, and the keys that command it.

One event loop: the engine is fed by the run's tasks (feed, watchdog) on the app's own loop; the
app never sees a book update. A timer redraws at a fixed rate from ``engine.state()``, and each
pane repaints only when the facts it shows changed, so a burst of thousands of book updates per
second costs the UI nothing more than the quiet market does.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult, ModeError, ScreenError
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.driver import Driver
from textual.screen import ModalScreen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from console.app import format as fmt
from console.app.checklist_source import ChecklistSource
from console.app.gates import GateSource, NoPaperSession
from console.app.host import SessionHost
from console.app.modes import badge, live_refusal, mode_after_live
from console.app.rates import FrameRate
from console.app.screens import (
    ChecklistScreen,
    ConfirmLiveScreen,
    HelpScreen,
    LatencyScreen,
    QuitChoice,
    QuitScreen,
)
from console.app.widgets import (
    GatePane,
    ImbalancePane,
    NoticeBar,
    OrderBookPane,
    PositionPane,
    SignalLogPane,
    StatusBar,
)
from console.durations import describe_duration
from core.dead_man import DeadManPhase
from core.engine import ModeChangeRefused
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import Mode
from core.latency import LatencySnapshot
from core.store import RunEnd

DEFAULT_FPS = 15.0
GATE_POLL_S = 1.0


@dataclass(frozen=True, slots=True)
class ConsoleOutcome:
    """How the console ended: the flatten result when it flattened on the way out."""

    flatten: KillSwitchStatus | None
    redraws: int
    seconds: float

    @property
    def redraws_per_s(self) -> float:
        return self.redraws / self.seconds if self.seconds > 0 else 0.0


class L2ConsoleApp(App[ConsoleOutcome]):
    CSS_PATH = "console.tcss"
    TITLE = "l2console"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "flatten", "Flatten all", priority=True),
        Binding("ctrl+k", "kill_switch", "Kill switch", key_display="^k", priority=True),
        # One key, two actions: ``check_action`` shows the one that applies now.
        Binding("d", "go_live", "Go live"),
        Binding("d", "go_dry", "Dry run"),
        Binding("p", "pause", "Pause"),
        Binding("p", "resume", "Resume"),
        Binding("q", "quit_console", "Quit"),
        Binding("ctrl+q,ctrl+c", "quit_console", "Quit", show=False, priority=True),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("l", "latency", "Latency", show=False),
        Binding("c", "checklist", "Checklist", show=False),
    ]

    def __init__(
        self,
        host: SessionHost,
        *,
        gates: GateSource | None = None,
        checklist: ChecklistSource | None = None,
        session_name: str | None = None,
        fps: float = DEFAULT_FPS,
        duration_s: float | None = None,
        driver_class: type[Driver] | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class)
        self.host = host
        self._gates = gates or NoPaperSession()
        self._checklist = checklist
        self._session_name = session_name or host.options.session or "—"
        self._fps = fps
        self._duration_s = duration_s
        engine = host.engine
        instrument = engine.instrument
        self._frames = FrameRate(engine.started_wall_ns)
        self._command_state: tuple[Mode, bool, KillSwitchPhase] | None = None
        self._kill_phase = KillSwitchPhase.IDLE  # as of the last frame
        self._stopping = False
        self._run_up = False  # mounted and the run started: a stop can be acted on
        self._stop_asked: tuple[bool, RunEnd] | None = None  # asked before that
        self.host_stopped = False
        self.redraws = 0
        self._started = time.monotonic()
        self.messages: deque[str] = deque(maxlen=50)  # what the console told the user
        self.status_bar = StatusBar(id="status", latency_measured=host.latency_measured)
        self.book = OrderBookPane(
            id="book",
            price_decimals=instrument.price_decimals,
            size_decimals=instrument.size_decimals,
        )
        self.imbalance = ImbalancePane(id="imbalance", strategy=engine.config.strategy)
        if host.session_base is not None:  # this run and the session: two lines more
            self.add_class("-resumed")
        self.position = PositionPane(
            id="position", price_decimals=instrument.price_decimals, base=host.session_base
        )
        self.gate = GatePane(id="gate", link="c checklist" if checklist else None)
        self.signals = SignalLogPane(
            id="signals",
            price_decimals=instrument.price_decimals,
            resumed=host.session_base is not None,
        )
        self.notice = NoticeBar(id="notice")

    def compose(self) -> ComposeResult:
        yield self.status_bar
        with Horizontal(id="top"):
            yield self.book
            with Vertical(id="side"):
                yield self.imbalance
                yield self.position
                yield self.gate
        yield self.signals
        yield self.notice
        yield Footer()

    async def on_mount(self) -> None:
        await self.host.start()
        self.redraw()
        self.set_interval(1 / self._fps, self.redraw, name="redraw")
        self.poll_gates()
        self.set_interval(GATE_POLL_S, self.poll_gates, name="gate poll")
        if self._duration_s is not None:
            self.set_timer(self._duration_s, self._duration_over, name="duration")
            ends_ns = self.host.engine.state(depth=0).wall_ns + round(self._duration_s * 1e9)
            self.say(
                f"Duration: {describe_duration(self._duration_s)} (stops at "
                f"{fmt.utc_clock(ends_ns)} UTC)"
            )
        self._run_up = True
        if self._stop_asked is not None:
            flatten, how = self._stop_asked
            self.stop_and_exit(flatten=flatten, how=how)

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        """One frame: read the engine's state once and let each pane repaint if it changed."""
        try:
            screen = self.screen
        except (ScreenError, ModeError):  # the timer can fire once shutdown removed the screens
            return
        if isinstance(screen, ModalScreen):
            return  # nothing renders behind a modal
        engine = self.host.engine
        state = engine.state(depth=self.book.levels_wanted)
        per_second = self._frames.sample(state.wall_ns, state.counters.frames)
        status = self.status_bar.status_facts(
            state, badge(state.mode, self.host.options), per_second, self._session_name
        )
        switch = self.position.dead_man = self.host.dead_man()
        self.set_class(switch.phase is not DeadManPhase.OFF, "-switch")  # a line more for it
        changed = False
        with self.batch_update():
            changed |= self.status_bar.show_facts(status)
            for pane in (self.book, self.imbalance, self.position, self.signals, self.notice):
                changed |= pane.show(state)
        if changed:
            self.redraws += 1
        self._kill_phase = state.kill_switch.phase
        command_state = (state.mode, state.paused, state.kill_switch.phase)
        if command_state != self._command_state:
            self._command_state = command_state
            self.refresh_bindings()

    def poll_gates(self) -> None:
        self.run_worker(
            self._poll_gates(),
            name="gate progress",
            group="gates",
            exclusive=True,
            exit_on_error=False,
        )

    async def _poll_gates(self) -> None:
        self.gate.show_gate(await self._gates.gate_progress())

    # ------------------------------------------------------------------ keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        engine = self.host.engine
        if action == "go_live":
            return engine.mode is not Mode.LIVE
        if action == "go_dry":
            return engine.mode is Mode.LIVE
        held = engine.paused or self._kill_phase in (KillSwitchPhase.FLAT, KillSwitchPhase.FAILED)
        if action == "pause":
            return not held
        if action == "resume":
            return held
        return True

    def action_flatten(self) -> None:
        """The kill switch: acts at once, no confirmation; the notice bar shows its progress."""
        self.run_worker(
            self.host.engine.flatten_all("Kill switch: flatten all (console)"),
            name="kill switch",
            group="kill switch",
            exit_on_error=False,
        )

    def action_kill_switch(self) -> None:
        self.action_flatten()

    def action_go_live(self) -> None:
        """Refusals first (real money not allowed, a session of one mode, an open position, no
        keys): asking "go live?" only to refuse after a yes would be a trap."""
        options = self.host.options
        engine = self.host.engine
        refusal = live_refusal(options)
        if refusal is None:
            try:
                engine.check_mode_change(Mode.LIVE)
            except ModeChangeRefused as exc:
                refusal = f"refused: {exc}"
        if refusal is not None:
            self.say(refusal, severity="error")
            return
        screen = ConfirmLiveScreen(
            badge=badge(Mode.LIVE, options),
            venue=engine.config.venue_name,
            symbol=engine.instrument.symbol,
            stay_in=engine.mode.value,
        )
        self.push_screen(screen, callback=self._answer_go_live)

    def _answer_go_live(self, yes: bool | None) -> None:
        if yes:
            self._set_mode(Mode.LIVE)
        else:
            self.say(f"still {self.host.engine.mode.value}: nothing changed")
        self.redraw()

    def action_go_dry(self) -> None:
        self._set_mode(mode_after_live(self.host.options))
        self.redraw()

    def _set_mode(self, mode: Mode) -> None:
        """Through the host, so going live runs the same venue checks as a live start."""
        self.run_worker(self._change_mode(mode), name="mode", group="mode", exit_on_error=False)

    async def _change_mode(self, mode: Mode) -> None:
        try:
            await self.host.set_mode(mode)
        except ModeChangeRefused as exc:
            self.say(f"refused: {exc}", severity="error")
        self.redraw()

    def action_pause(self) -> None:
        self.host.engine.pause()
        self.redraw()

    def action_resume(self) -> None:
        self.host.engine.resume()
        self.redraw()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_latency(self) -> None:
        self.push_screen(LatencyScreen(self._latency_snapshots))

    def action_checklist(self) -> None:
        if self._checklist is None:
            self.say("no checklist: the checklists judge a named session's record (--session)")
            return
        self.push_screen(ChecklistScreen(self._checklist))

    def _latency_snapshots(self) -> dict[str, LatencySnapshot]:
        histograms = self.host.engine.latency_histograms
        return {name: histogram.snapshot() for name, histogram in histograms.items()}

    def action_quit_console(self) -> None:
        if self._stopping:
            self.say("already stopping…")
            return
        engine = self.host.engine
        position = engine.ledger.position
        if position.is_flat:
            self.stop_and_exit(flatten=self.host.options.flatten_on_exit, how=RunEnd.INTERRUPTED)
            return
        side = "LONG" if position.quantity > 0 else "SHORT"
        text = f"{side} {abs(position.quantity)} {engine.instrument.symbol} is open"
        self.push_screen(QuitScreen(text), callback=self._answer_quit)

    def _answer_quit(self, choice: QuitChoice | None) -> None:
        if choice is QuitChoice.FLATTEN_AND_QUIT:
            self.run_worker(self._flatten_then_quit(), name="flatten and quit", exit_on_error=False)
        elif choice is QuitChoice.LEAVE_AND_QUIT:
            self.stop_and_exit(flatten=False, how=RunEnd.INTERRUPTED)

    async def _flatten_then_quit(self) -> None:
        status = await self.host.engine.flatten_all("Quit: flatten")
        if status.phase is KillSwitchPhase.FLAT:
            await self._stop_and_exit(flatten=False, how=RunEnd.INTERRUPTED)
        else:
            self.say(f"still open, not quitting: {status.detail}", severity="error")

    # ------------------------------------------------------------------ stopping
    def request_stop(self, *, flatten: bool, how: RunEnd) -> None:
        """A stop from outside (a signal, the terminal going away), whenever it comes: one asked
        before the console is up is acted on as soon as it is."""
        if self._run_up:
            self.stop_and_exit(flatten=flatten, how=how)
        elif self._stop_asked is None:
            self._stop_asked = (flatten, how)

    def stop_and_exit(self, *, flatten: bool, how: RunEnd = RunEnd.COMPLETED) -> None:
        """Stop the run (flattening first when asked), then close the console."""
        self.run_worker(
            self._stop_and_exit(flatten=flatten, how=how), name="stop", exit_on_error=False
        )

    async def _stop_and_exit(self, *, flatten: bool, how: RunEnd) -> None:
        if self._stopping:
            return
        self._stopping = True
        self.say("stopping: flattening first…" if flatten else "stopping…")
        status = await self.host.stop(flatten=flatten, how=how)
        self.host_stopped = True
        self.redraw()
        self.exit(ConsoleOutcome(status, self.redraws, time.monotonic() - self._started))

    def _duration_over(self) -> None:
        self.stop_and_exit(flatten=self.host.options.flatten_on_exit)

    # ------------------------------------------------------------------ messages
    def say(self, text: str, *, severity: str = "information") -> None:
        self.messages.append(text)
        self.notify(text, severity=severity, timeout=6)  # type: ignore[arg-type]

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Every background job's failure ends up here, as one line on screen."""
        if event.state is WorkerState.ERROR:
            self.say(f"{event.worker.name} failed: {event.worker.error}", severity="error")
            if event.worker.name == "stop":
                self._stopping = False
