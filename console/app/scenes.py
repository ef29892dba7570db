"""The console's reference scenes: the same screens for the snapshot tests and ``make screenshots``.

Each scene is a deterministic replay (``replay.py``: seeded sim market, manual clock) shown in a
fixed terminal size, plus a script that plays the market *through* the app so the panes (the
imbalance history too) see it the way they would live. Run ``python -m console.app.scenes DIR``
to write every scene as an SVG into DIR.
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from textual.pilot import Pilot

from console.app.app import L2ConsoleApp
from console.app.gates import FixedGate, GateProgress
from console.app.replay import MarketReplay, replay_options
from console.totals import SessionBase
from core.engine_state import KillSwitchPhase
from core.enums import Mode
from core.events import SignalOutcome
from core.latency import DECISION_TO_ORDER, TICK_TO_DECISION
from core.strategy import StrategyParams

SEED = 11
SESSION = "60days_kraken"
DRAW_EVERY_S = 0.25  # market seconds between two frames while a scene plays

GATE_NOT_MET = GateProgress(
    gate="Gate 5→6",
    session=SESSION,
    days_covered=12.4,
    days_required=60,
    win_rate_pct=54.47,
    win_rate_target_pct=50,
    profit_factor=1.21,
    profit_factor_target=1.0,
    trades=87,
    trades_minimum=100,
    ready=False,
    verdict="NOT MET: 47.6 more days and 13 more trades needed",
)
GATE_READY = GateProgress(
    gate="Gate 5→6",
    session=SESSION,
    days_covered=60.2,
    days_required=60,
    win_rate_pct=54.47,
    win_rate_target_pct=50,
    profit_factor=1.53,
    profit_factor_target=1.0,
    trades=347,
    trades_minimum=100,
    ready=True,
    verdict="✓ ALL GATE 5→6 REQUIREMENTS MET - READY FOR LIVE TRADING",
)

Script = Callable[[Pilot[object]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    size: tuple[int, int]
    build: Callable[[], tuple[L2ConsoleApp, Script]]
    caption: str


# The session before the scene's run: with the scene's two round trips, the gate's 87 trades.
RESUMED_FROM = SessionBase(
    round_trips=85, realized_pnl=Decimal("9.51825"), fees=Decimal("8.16018340"), signals=176
)


def trading_app(
    mode: Mode = Mode.PAPER, gate: GateProgress | None = GATE_NOT_MET
) -> tuple[L2ConsoleApp, MarketReplay]:
    replay = MarketReplay(
        replay_options(mode, session=SESSION if gate else None),
        seed=SEED,
        strategy=StrategyParams(cooldown_s=2.0),
        session_base=RESUMED_FROM if gate is GATE_NOT_MET else None,
    )
    app = L2ConsoleApp(replay, gates=FixedGate(gate), fps=10)
    return app, replay


def play(app: L2ConsoleApp, replay: MarketReplay, seconds: float) -> None:
    """Play market time, drawing a frame every quarter second of it."""
    for _ in range(round(seconds / DRAW_EVERY_S)):
        replay.play(DRAW_EVERY_S)
        app.redraw()


def play_until(
    app: L2ConsoleApp, replay: MarketReplay, done: Callable[[], bool], max_s: float = 600
) -> None:
    played = 0.0
    while not done():
        if played > max_s:
            raise TimeoutError(f"scene condition not reached in {max_s:g}s of market")
        play(app, replay, DRAW_EVERY_S)
        played += DRAW_EVERY_S


def a_session_with_an_open_position(app: L2ConsoleApp, replay: MarketReplay) -> None:
    """Two round trips, a few entries blocked while paused, then a position left open."""
    engine = replay.engine
    play_until(app, replay, lambda: engine.state().round_trips >= 2)
    engine.pause()
    play_until(app, replay, lambda: engine.state().blocked_total >= 2)
    engine.resume()
    play_until(app, replay, lambda: not engine.ledger.position.is_flat)
    play(app, replay, 2.0)
    assert any(s.outcome is SignalOutcome.BLOCKED for s in engine.state().recent_signals)


async def settle(pilot: Pilot[object], app: L2ConsoleApp, done: Callable[[], bool]) -> None:
    for _ in range(500):
        if done():
            break
        await pilot.pause(0.01)
    else:
        raise TimeoutError("the console did not reach the scene's state")
    app.redraw()
    await pilot.pause()


def main_screen() -> tuple[L2ConsoleApp, Script]:
    app, replay = trading_app()

    async def script(pilot: Pilot[object]) -> None:
        a_session_with_an_open_position(app, replay)
        await pilot.pause()

    return app, script


def confirm_live() -> tuple[L2ConsoleApp, Script]:
    app, replay = trading_app(Mode.DRY_RUN, gate=None)

    async def script(pilot: Pilot[object]) -> None:
        play(app, replay, 20)
        await pilot.press("d")
        await pilot.pause()

    return app, script


def kill_switch(*, book_syncing: bool) -> Callable[[], tuple[L2ConsoleApp, Script]]:
    def build() -> tuple[L2ConsoleApp, Script]:
        app, replay = trading_app()
        engine = replay.engine

        async def script(pilot: Pilot[object]) -> None:
            a_session_with_an_open_position(app, replay)
            if book_syncing:  # a lost message: nothing to close against until the resync
                replay.skip_sequence()
                replay.play(0.02)
            await pilot.press("f")
            if book_syncing:
                await settle(pilot, app, lambda: "retrying" in engine.state().kill_switch.detail)
            else:
                phase = KillSwitchPhase.FLAT
                await settle(pilot, app, lambda: engine.state().kill_switch.phase is phase)

        return app, script

    return build


def stale_book() -> tuple[L2ConsoleApp, Script]:
    app, replay = trading_app(Mode.DRY_RUN, gate=None)

    async def script(pilot: Pilot[object]) -> None:
        play(app, replay, 20)
        replay.go_silent(11)
        app.redraw()
        await pilot.pause()

    return app, script


def gate_ready() -> tuple[L2ConsoleApp, Script]:
    app, replay = trading_app(gate=GATE_READY)

    async def script(pilot: Pilot[object]) -> None:
        play(app, replay, 30)
        await pilot.pause()

    return app, script


def latency_histograms() -> tuple[L2ConsoleApp, Script]:
    """A replay's clock is manual, so its latencies are all zero: for the picture, the
    histograms get a fixed sample shaped like a headless run's (``l2console bench``)."""
    app, replay = trading_app()
    histograms = replay.engine.latency_histograms
    draw = random.Random(SEED)

    async def script(pilot: Pilot[object]) -> None:
        a_session_with_an_open_position(app, replay)
        for name, median_ns, count in (
            (TICK_TO_DECISION, 7_000, 18_000),
            (DECISION_TO_ORDER, 45_000, 40),
        ):
            histograms[name].reset()
            for _ in range(count):
                histograms[name].record(round(draw.lognormvariate(math.log(median_ns), 0.6)))
        await pilot.press("l")
        await pilot.pause()

    return app, script


SCENES = (
    Scene("main_80x24", (80, 24), main_screen, "Paper session, position open (80×24)"),
    Scene("main_120x40", (120, 40), main_screen, "The same session at 120×40"),
    Scene("confirm_live", (80, 24), confirm_live, "`d`: going live asks first"),
    Scene(
        "kill_switch_flattening",
        (80, 24),
        kill_switch(book_syncing=True),
        "`f`: flattening, waiting for a book to close against",
    ),
    Scene("kill_switch_flat", (80, 24), kill_switch(book_syncing=False), "`f`: flat confirmed"),
    Scene("stale_book", (80, 24), stale_book, "No data for 11 s: the book is STALE"),
    Scene("gate_ready", (80, 24), gate_ready, "Gate 5→6 READY"),
    Scene(
        "latency",
        (80, 32),
        latency_histograms,
        "`l`: latency histograms (a fixed sample, for the picture)",
    ),
)


async def render(scene: Scene) -> str:
    app, script = scene.build()
    async with app.run_test(size=scene.size) as pilot:
        await script(pilot)
        await pilot.pause()
        return app.export_screenshot(title=f"l2console · {scene.caption}")


def write_all(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for scene in SCENES:
        path = folder / f"{scene.name}.svg"
        path.write_text(asyncio.run(render(scene)), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))
