"""The console's keys on a deterministic replay: confirmation, refusals, pause, quit, redraws."""

from __future__ import annotations

import pytest
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from console.app.app import ConsoleOutcome, L2ConsoleApp
from console.app.gates import FixedGate
from console.app.replay import MarketReplay, replay_options
from console.app.scenes import GATE_NOT_MET, a_session_with_an_open_position, play, trading_app
from console.app.screens import ConfirmLiveScreen, HelpScreen, LatencyScreen, QuitScreen
from console.app.widgets import Pane
from core.engine_state import KillSwitchPhase
from core.enums import Mode
from tests.console.ui.conftest import wait_until


def footer_labels(app: L2ConsoleApp) -> list[str]:
    return [key.description for key in app.query(FooterKey)]


async def test_d_asks_before_going_live_and_n_changes_nothing() -> None:
    app, replay = trading_app(Mode.DRY_RUN, gate=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmLiveScreen)
        assert replay.engine.mode is Mode.DRY_RUN
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmLiveScreen)
        assert replay.engine.mode is Mode.DRY_RUN
        await pilot.press("d", "enter")  # Enter lands on the default button: stay
        assert replay.engine.mode is Mode.DRY_RUN


async def test_confirmed_live_that_the_host_refuses_shows_its_reason() -> None:
    app, replay = trading_app(Mode.DRY_RUN, gate=None)  # a replay has no venue to reconcile
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d", "y")
        assert replay.engine.mode is Mode.DRY_RUN
        assert app.messages[-1] == (
            "refused: cannot go live safely: a deterministic replay has no venue to trade on"
        )


async def test_d_with_an_open_position_refuses_before_asking() -> None:
    app, replay = trading_app()
    async with app.run_test(size=(80, 24)) as pilot:
        a_session_with_an_open_position(app, replay)
        await pilot.press("d")
        assert not isinstance(app.screen, ConfirmLiveScreen)
        assert replay.engine.mode is Mode.PAPER
        assert app.messages[-1] == "refused: close the open position before switching to LIVE"


async def test_real_money_venue_refuses_live_without_the_flag_and_never_asks() -> None:
    options = replay_options(Mode.DRY_RUN, broker="kraken", production=True)
    app = L2ConsoleApp(MarketReplay(options))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        assert not isinstance(app.screen, ConfirmLiveScreen)
        assert "REAL MONEY" in app.messages[-1]
        assert "--i-understand-this-is-real-money" in app.messages[-1]


async def test_with_the_flag_the_real_money_confirmation_says_so() -> None:
    options = replay_options(Mode.DRY_RUN, broker="kraken", production=True, real_money_ack=True)
    app = L2ConsoleApp(MarketReplay(options))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmLiveScreen)
        dialog = app.screen.query_one("#dialog")
        assert dialog.has_class("-danger")
        title = app.screen.query_one("#dialog-title", Pane)
        assert "LIVE REAL MONEY" in title.plain_text


async def test_kraken_dry_run_going_live_is_real_money_not_demo() -> None:
    # Dry run on Kraken watches production; live from there would trade production.
    options = replay_options(Mode.DRY_RUN, broker="kraken")
    app = L2ConsoleApp(MarketReplay(options))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        assert not isinstance(app.screen, ConfirmLiveScreen)
        assert "REAL MONEY" in app.messages[-1]


async def test_q_with_an_open_position_asks_and_escape_keeps_running() -> None:
    app, replay = trading_app()
    async with app.run_test(size=(80, 24)) as pilot:
        a_session_with_an_open_position(app, replay)
        await pilot.press("q")
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, QuitScreen)
        assert app.is_running
        assert not replay.engine.ledger.position.is_flat


async def test_q_then_flatten_and_quit_closes_the_position_and_exits() -> None:
    app, replay = trading_app()
    async with app.run_test(size=(80, 24)) as pilot:
        a_session_with_an_open_position(app, replay)
        await pilot.press("q", "enter")
        await wait_until(pilot, lambda: not app.is_running, seconds=10)
    assert replay.engine.ledger.position.is_flat
    assert isinstance(app.return_value, ConsoleOutcome)


async def test_q_then_leave_quits_with_the_position_still_open() -> None:
    app, replay = trading_app()
    async with app.run_test(size=(80, 24)) as pilot:
        a_session_with_an_open_position(app, replay)
        await pilot.press("q", "l")
        await wait_until(pilot, lambda: not app.is_running, seconds=10)
    assert not replay.engine.ledger.position.is_flat


async def test_q_when_flat_quits_without_asking() -> None:
    app, replay = trading_app(Mode.DRY_RUN, gate=None)
    async with app.run_test(size=(80, 24)) as pilot:
        play(app, replay, 1)
        assert replay.engine.ledger.position.is_flat
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, seconds=10)
    assert app.host_stopped


@pytest.mark.parametrize("key", ["f", "ctrl+k"])
async def test_f_and_ctrl_k_flatten_at_once_then_p_resumes_entries(key: str) -> None:
    app, replay = trading_app()
    engine = replay.engine
    async with app.run_test(size=(80, 24)) as pilot:
        a_session_with_an_open_position(app, replay)
        await pilot.press(key)
        await wait_until(pilot, lambda: engine.state().kill_switch.phase is KillSwitchPhase.FLAT)
        assert engine.ledger.position.is_flat
        app.redraw()
        assert "KILL SWITCH flat confirmed" in app.notice.plain_text
        await pilot.pause()
        assert "Resume" in footer_labels(app)
        await pilot.press("p")
        assert engine.state().kill_switch.phase is KillSwitchPhase.IDLE
        assert not engine.paused


async def test_p_pauses_and_resumes_new_entries() -> None:
    app, replay = trading_app(Mode.DRY_RUN, gate=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert replay.engine.paused
        app.redraw()
        assert "PAUSED" in app.status_bar.plain_text
        await pilot.press("p")
        assert not replay.engine.paused


async def test_help_opens_and_closes() -> None:
    app, _ = trading_app(Mode.DRY_RUN, gate=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_l_shows_the_runs_latency_histograms_and_keeps_them_current() -> None:
    app, replay = trading_app()
    engine = replay.engine
    async with app.run_test(size=(80, 24)) as pilot:
        a_session_with_an_open_position(app, replay)
        await pilot.press("l")
        assert isinstance(app.screen, LatencyScreen)
        body = app.screen.query_one("#latency-body", Static)
        decisions = engine.latency.count
        orders = engine.latency_histograms["decision_to_order"].count
        assert decisions > 0 and orders > 0
        assert f"tick → decision[/b]  {decisions:,} updates" in str(body.content)
        assert f"decision → order[/b]  {orders:,} orders" in str(body.content)
        assert "order → venue ack[/b]  no live orders yet" in str(body.content)
        play(app, replay, 5)  # the market moves on behind the modal
        assert engine.latency.count > decisions
        await wait_until(pilot, lambda: f"{engine.latency.count:,} updates" in str(body.content))
        await pilot.press("escape")
        assert not isinstance(app.screen, LatencyScreen)


async def test_a_frame_with_nothing_new_repaints_nothing() -> None:
    app, replay = trading_app(Mode.DRY_RUN, gate=None)
    async with app.run_test(size=(80, 24)):
        play(app, replay, 2)
        app.redraw()
        before = app.redraws
        app.redraw()
        app.redraw()
        assert app.redraws == before  # same engine state: no pane asked for a repaint
        replay.play(0.5)
        app.redraw()
        assert app.redraws == before + 1


async def test_gate_pane_shows_no_paper_session_then_the_gate() -> None:
    gates = FixedGate(None)
    replay = MarketReplay(replay_options(Mode.PAPER))
    app = L2ConsoleApp(replay, gates=gates)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "no paper session" in app.gate.plain_text)
        gates.progress = GATE_NOT_MET
        await wait_until(pilot, lambda: "NOT MET" in app.gate.plain_text, seconds=5)


async def test_a_redraw_that_fires_after_the_screens_are_gone_does_nothing() -> None:
    # The redraw interval can fire once more while the app shuts down (seen as a rare traceback
    # at the end of a test): by then the screen stack is empty.
    app, _ = trading_app(Mode.DRY_RUN, gate=None)
    async with app.run_test(size=(80, 24)):
        pass
    assert not app.screen_stack
    redraws = app.redraws
    app.redraw()
    assert app.redraws == redraws


async def test_a_duration_is_echoed_in_words_when_the_console_starts() -> None:
    app = L2ConsoleApp(MarketReplay(replay_options(Mode.PAPER)), duration_s=120)
    async with app.run_test(size=(80, 24)):
        assert "Duration: 2 min (stops at 10:02:00 UTC)" in app.messages
