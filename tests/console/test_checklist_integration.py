"""``l2console checklist integration``: each line judged from a session's record in a real
SQLite file, flipping with its piece of evidence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.checklists import integration_for, render_checklist
from console.cli import main
from core.checklists import Verdict
from core.checklists import integration as lines
from core.enums import Mode
from core.store import SessionReader
from tests.console.checklist_sessions import (
    BOOK,
    EVERYTHING,
    HOUR_RUN,
    KILL_SWITCH,
    LIMIT_BLOCK,
    ORDERS,
    SIGNALS,
    write_integration_session,
)

ALL_LINES = (
    lines.WEBSOCKET,
    lines.SIGNALS,
    lines.RISK,
    lines.BROKER,
    lines.LATENCY,
    lines.UPTIME,
    lines.KILL_SWITCH,
)


def judged(path: Path, name: str) -> dict[str, Verdict]:
    with SessionReader(path) as reader:
        checklist = integration_for(reader, name)
    return {line.title: line.verdict for line in checklist.lines}


def test_every_line_passes_with_every_piece_of_evidence(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo")
    assert judged(db, "demo") == dict.fromkeys(ALL_LINES, Verdict.PASSED)


@pytest.mark.parametrize(
    ("missing", "flipped"),
    [
        (BOOK, {lines.WEBSOCKET: Verdict.NOT_YET, lines.LATENCY: Verdict.NOT_YET}),
        (SIGNALS, {lines.SIGNALS: Verdict.NOT_YET}),
        (LIMIT_BLOCK, {lines.RISK: Verdict.NOT_YET}),
        (ORDERS, {lines.BROKER: Verdict.FAILED}),  # a rejected order, nothing filled
        (HOUR_RUN, {lines.LATENCY: Verdict.NOT_YET, lines.UPTIME: Verdict.NOT_YET}),
        (KILL_SWITCH, {lines.KILL_SWITCH: Verdict.NOT_YET}),
    ],
)
def test_each_line_flips_with_its_evidence(
    tmp_path: Path, missing: str, flipped: dict[str, Verdict]
) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {missing})
    expected = dict.fromkeys(ALL_LINES, Verdict.PASSED) | flipped
    assert judged(db, "demo") == expected


def test_slow_decisions_fail_the_latency_line(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", tick_ns=60_000_000)
    assert judged(db, "demo")[lines.LATENCY] is Verdict.FAILED


def test_a_crash_without_an_hour_run_fails_uptime(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {HOUR_RUN}, crash=True)
    assert judged(db, "demo")[lines.UPTIME] is Verdict.FAILED


def test_a_failed_last_kill_switch_fails_its_line(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {KILL_SWITCH}, failed_kill_switch=True)
    assert judged(db, "demo")[lines.KILL_SWITCH] is Verdict.FAILED


def test_a_stops_routine_flatten_is_no_kill_switch_test(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "stops", EVERYTHING - {KILL_SWITCH}, routine_flatten=True)
    with SessionReader(db) as reader:
        line = integration_for(reader, "stops").line(lines.KILL_SWITCH)
    assert line.verdict is Verdict.NOT_YET
    assert line.why == "no kill switch pulled yet (1 routine flattens at stops not counted)"
    write_integration_session(
        db, "failed", EVERYTHING - {KILL_SWITCH}, failed_kill_switch=True, routine_flatten=True
    )
    assert judged(db, "failed")[lines.KILL_SWITCH] is Verdict.FAILED  # a stop does not mend it


def test_paper_orders_never_prove_the_broker_api(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "paper", mode=Mode.PAPER)
    verdicts = judged(db, "paper")
    assert verdicts[lines.BROKER] is Verdict.NOT_YET
    assert verdicts[lines.WEBSOCKET] is Verdict.PASSED


def test_the_sim_counts_as_a_rehearsal_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "rehearsal", venue="sim")
    with SessionReader(db) as reader:
        checklist = integration_for(reader, "rehearsal")
    broker = checklist.line(lines.BROKER)
    assert broker.verdict is Verdict.PASSED
    assert "rehearsal" in broker.why
    assert checklist.subject == "session rehearsal on the simulated venue (LIVE (SIM))"


def test_the_text_says_where_the_evidence_came_from_and_exits_by_completeness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_ambient_settings: None
) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo")
    write_integration_session(db, "young", EVERYTHING - {HOUR_RUN})
    env = Path(os.devnull)  # no settings file
    assert (
        main(
            [
                "--env-file",
                str(env),
                "checklist",
                "integration",
                "--session",
                "demo",
                "--db",
                str(db),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "Evidence: session demo on the Kraken Futures demo (LIVE DEMO) (replays never count)" in out
    )
    assert "Complete: all 7 lines passed." in out
    assert (
        main(
            [
                "--env-file",
                str(env),
                "checklist",
                "integration",
                "--session",
                "young",
                "--db",
                str(db),
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "not yet  The system ran 1+ hour without crashing" in out
    assert "Not complete: 5 of 7 lines passed." in out


def test_a_missing_session_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_ambient_settings: None
) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo")
    env = Path(os.devnull)  # no settings file
    assert (
        main(
            [
                "--env-file",
                str(env),
                "checklist",
                "integration",
                "--session",
                "nope",
                "--db",
                str(db),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no session named 'nope'" in err


def test_the_rendered_text_shows_the_suggestion_for_a_missing_block(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {LIMIT_BLOCK})
    with SessionReader(db) as reader:
        text = render_checklist(integration_for(reader, "demo"))
    assert (
        "→ prove it in a minute: MAX_POSITION_USD=1 l2console run --live --broker kraken"
        " --session demo --duration 1m --no-ui --i-understand-this-is-real-money"
        " --validated-by PAPER_SESSION --capital USD" in text
    )  # Kraken --live is real money now: the suggestion passes the same door
    assert "(1 blocked for other reasons)" in text
    write_integration_session(db, "rehearsal", EVERYTHING - {LIMIT_BLOCK}, venue="sim")
    with SessionReader(db) as reader:
        line = integration_for(reader, "rehearsal").line(lines.RISK)
    assert line.notes == (
        "prove it in a minute: MAX_POSITION_USD=1 l2console run --live --broker sim"
        " --session rehearsal --duration 1m --no-ui",
    )
    write_integration_session(db, "paper", EVERYTHING - {LIMIT_BLOCK}, mode=Mode.PAPER)
    with SessionReader(db) as reader:
        line = integration_for(reader, "paper").line(lines.RISK)
    assert line.notes == (  # paper's bare duration is minutes; --no-ui works in a pipe too
        "prove it in a minute: MAX_POSITION_USD=1 l2console paper --broker kraken"
        " --session paper --duration 1 --no-ui",
    )
