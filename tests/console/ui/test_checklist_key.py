"""``c``: the running session's checklist from its record; the gate pane names the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Static

from console.app.app import L2ConsoleApp
from console.app.checklist_source import session_checklist
from console.app.gates import FixedGate
from console.app.replay import MarketReplay, replay_options
from console.app.scenes import GATE_NOT_MET, SEED, SESSION, trading_app
from console.app.screens import ChecklistScreen
from console.settings import Settings
from core.enums import Mode
from tests.console.checklist_sessions import write_integration_session
from tests.console.report_sessions import guide_session
from tests.console.ui.conftest import wait_until


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.upper().startswith(("KRAKEN_", "BINANCE_US_", "MAX_")):
            monkeypatch.delenv(name)
    path = tmp_path / "l2.sqlite"
    guide_session(path)
    write_integration_session(path, "demo")
    return path


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_a_paper_session_shows_the_live_checklist_and_a_live_one_the_integration(
    db: Path,
) -> None:
    paper = session_checklist(db, "60days_kraken", settings(), db.parent / ".env")()
    assert paper.startswith("Live Trading Preparation\nEvidence: paper session 60days_kraken")
    live = session_checklist(db, "demo", settings(), db.parent / ".env")()
    assert live.startswith("Integration Testing Checklist\nEvidence: session demo")


async def test_c_opens_the_checklist_and_the_gate_pane_links_to_it(db: Path) -> None:
    replay = MarketReplay(replay_options(Mode.PAPER, session=SESSION), seed=SEED)
    source = session_checklist(db, "60days_kraken", settings(), db.parent / ".env")
    app = L2ConsoleApp(replay, gates=FixedGate(GATE_NOT_MET), checklist=source, fps=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "c checklist" in str(app.gate.border_title))
        await pilot.press("c")
        assert isinstance(app.screen, ChecklistScreen)
        body = app.screen.query_one("#checklist-body", Static)
        await wait_until(pilot, lambda: "Live Trading Preparation" in str(body.content))
        assert "Gate 5→6 passed" in str(body.content)
        await pilot.press("c")
        assert not isinstance(app.screen, ChecklistScreen)


async def test_without_a_session_c_says_why() -> None:
    app, _ = trading_app(Mode.DRY_RUN, gate=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        assert not isinstance(app.screen, ChecklistScreen)
        assert "named session" in app.messages[-1]
