"""The dead man's switch in the console: under the position, a line more while a switch is in
play (armed, fired and re-armed, held for maintenance), off dropped first when space is short."""

from __future__ import annotations

import pytest

from console.app.app import L2ConsoleApp
from console.app.replay import MarketReplay, replay_options
from console.app.scenes import FixedGate, trading_app
from core.dead_man import DeadManPhase, DeadManView
from core.enums import Mode

S = 1_000_000_000


def fired(replay: MarketReplay) -> DeadManView:
    return DeadManView(
        DeadManPhase.ARMED,
        timeout_s=60,
        refreshed_wall_ns=replay.clock.wall_ns() - 2 * S,
        fired_at="2026-01-01T10:00:03Z",
    )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_fired_and_re_armed_switch_shows_under_the_position(size: tuple[int, int]) -> None:
    app, replay = trading_app(Mode.PAPER, gate=None)
    async with app.run_test(size=size) as pilot:
        replay.play(5)
        app.redraw()
        await pilot.pause()
        plain = app.position.plain_text
        # Paper: "off" shows where there is room (120x40), goes first where there is not.
        assert ("dead man's switch off (paper)" in plain) is (size == (120, 40)), plain
        before = app.position.size.height
        replay.switch = fired(replay)
        app.redraw()
        await pilot.pause()
        app.redraw()
        await pilot.pause()
        assert app.has_class("-switch")
        assert app.position.size.height == before + 1  # a line more, nothing of the position cut
        text = app.position.plain_text.replace("\n", " ")
        assert "dead man's switch FIRED at 10:00:03 — re-armed 60 s" in text
        assert "refreshed 2 s ago" in text
        assert text.split("dead man's switch")[0].strip()  # the position still shows above it
        replay.switch = DeadManView(DeadManPhase.MAINTENANCE)
        app.redraw()
        await pilot.pause()
        assert "dead man's switch disarmed for maintenance" in app.position.plain_text
        replay.switch = None
        app.redraw()
        await pilot.pause()
        assert not app.has_class("-switch")


async def test_off_shows_when_there_is_room() -> None:
    replay = MarketReplay(replay_options(Mode.DRY_RUN))
    app = L2ConsoleApp(replay, gates=FixedGate(None), fps=10)
    async with app.run_test(size=(160, 50)) as pilot:
        replay.play(1)
        app.redraw()
        await pilot.pause()
        assert "dead man's switch off (dry run)" in app.position.plain_text
