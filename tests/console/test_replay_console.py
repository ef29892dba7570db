"""``replay --ui``: the recording in the console, paused, stepped frame by frame and to the next
decision, then quit with the same REPLAY report as the printed replay."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from console.app.screens import HelpScreen, QuitScreen
from console.options import RunOptions
from console.replay.overrides import apply_overrides, parse_assignment
from console.replay.report import render_replay
from console.replay.runner import ReplayPlayer, replay
from console.replay.ui import RecordingHost, ReplayConsole
from console.settings import Settings
from core.enums import Mode
from tests.console.conftest import BUSY
from tests.console.ui.conftest import wait_until

pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def busy() -> Settings:
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    return apply_overrides(base, [parse_assignment(p) for p in BUSY], "kraken_futures")


def console_for(path: Path, *, speed: float | None) -> tuple[ReplayConsole, RecordingHost]:
    options = RunOptions("kraken", "PF_XBTUSD", Mode.PAPER, duration_s=None, ui=True)
    host = RecordingHost(ReplayPlayer(path, busy()), options, speed=speed)
    return ReplayConsole(host), host


def footer_labels(app: ReplayConsole) -> list[str]:
    return [key.description for key in app.query(FooterKey)]


async def quit_console(pilot: Pilot[object], app: ReplayConsole, host: RecordingHost) -> None:
    """``q``; with a position open the console asks first: flatten and quit."""
    await pilot.press("q")
    await pilot.pause(0.05)
    if isinstance(app.screen, QuitScreen):
        await pilot.press("y")
    await wait_until(pilot, lambda: host.result is not None)


async def test_pause_step_and_step_to_the_next_decision(sim_recording: Path) -> None:
    app, host = console_for(sim_recording, speed=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: host.player.frames > 10)
        await pilot.press("space")
        assert host.paused
        await pilot.pause(0.1)
        assert "sim30.l2rec" in app.export_screenshot().replace("&#160;", " ")
        assert host.position_text().endswith("paused")
        frozen = host.player.frames
        await pilot.pause(0.2)
        assert host.player.frames == frozen  # paused means paused
        await pilot.press("n")
        assert host.player.frames == frozen + 1
        signals = host.engine.state().signals_total
        await pilot.press("s")
        assert host.engine.state().signals_total == signals + 1
        assert "Play" in footer_labels(app) and "Step" in footer_labels(app)
        await pilot.press("space")
        assert not host.paused
        await wait_until(pilot, lambda: host.player.frames > frozen + 50)
        await quit_console(pilot, app, host)
    assert host.result is not None
    assert host.result.frames == host.player.frames


async def test_the_console_shows_replay_and_offers_no_live_trading(sim_recording: Path) -> None:
    app, host = console_for(sim_recording, speed=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: host.player.frames > 10)
        await wait_until(pilot, lambda: bool(footer_labels(app)))
        labels = footer_labels(app)
        assert "Pause" in labels and "Go live" not in labels and "Dry run" not in labels
        screen = app.export_screenshot().replace("&#160;", " ")
        assert "REPLAY" in screen
        assert "never counts" in screen
        await pilot.press("d")  # hidden and disabled: nothing happens
        assert host.engine.mode is Mode.PAPER
        await quit_console(pilot, app, host)


async def test_played_to_the_end_in_the_console_the_report_is_the_printed_replays(
    sim_recording: Path,
) -> None:
    app, host = console_for(sim_recording, speed=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: host.finished)
        app.redraw()
        assert "end of the recording: q quits and prints the report" in app.messages
        await quit_console(pilot, app, host)
    printed = await replay(sim_recording, busy())
    assert host.result is not None
    base = busy()

    def report(text: str) -> list[str]:  # flattened from the quit dialog, or at the end: alike
        return [line for line in text.splitlines() if "Position at the end" not in line]

    shown = render_replay(host.result, base=base)
    assert report(shown) == report(render_replay(printed, base=base))
    assert "Position at the end: flat" in shown


async def test_the_replay_console_fits_80_columns_with_its_own_keys_and_honest_numbers(
    sim_recording: Path,
) -> None:
    app, host = console_for(sim_recording, speed=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: host.extent is not None and host.player.frames > 10)
        await pilot.press("space")
        await pilot.pause(0.1)
        keys = list(app.query(FooterKey))
        assert [key.description for key in keys] == [
            "Flatten",
            "Quit",
            "Help",
            "Play",
            "Step",
            "Next signal",
        ]
        assert all(key.region.right <= 80 for key in keys)  # the whole footer is on screen
        status = app.status_bar.plain_text
        assert "latency n/a" in status and "p50" not in status and "µs" not in status
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "play up to and including the next decision" in shown
        assert "pause / resume entries" not in shown  # the trading console's p does nothing here
        await pilot.press("escape")
        await pilot.press("f")
        await wait_until(pilot, lambda: host.engine.state().kill_switch.engaged)
        await wait_until(pilot, lambda: "KILL SWITCH flat" in app.notice.plain_text)
        assert "p resumes" not in app.notice.plain_text
        assert app.notice.plain_text.rstrip().endswith("no more entries in this replay")
        await quit_console(pilot, app, host)


async def test_the_playback_position_moves_in_market_time(sim_recording: Path) -> None:
    app, host = console_for(sim_recording, speed=4.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: host.extent is not None and host.player.frames > 10)
        first = host.position_text()
        assert host.extent is not None and host.extent.length_ns > 29 * 10**9
        assert "/0:30 " in first  # the recording's length, scanned at start
        await wait_until(pilot, lambda: host.position_text().split()[2] != first.split()[2])
        shares = [first.split()[2], host.position_text().split()[2]]
        assert int(shares[1].rstrip("%")) > int(shares[0].rstrip("%"))
        await quit_console(pilot, app, host)
