"""``l2console checklist live``: the guide's Live Trading Preparation, each line flipping with
its evidence (a real SQLite file, a real .env file, real settings)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from console.checklists import live_for
from console.cli import main
from console.settings import Settings
from core.checklists import Checklist, Verdict
from core.checklists import live as lines
from tests.console.checklist_sessions import (
    DAY,
    EVERYTHING,
    HOUR_RUN,
    KILL_SWITCH,
    write_integration_session,
)
from tests.console.report_sessions import HOUR, T0, guide_session, trips_from_nets, write_session

PAPER = "60days_kraken"
KEYS = "KRAKEN_API_KEY=k-123\nKRAKEN_API_SECRET=s-456\n"
ALL_LINES = (
    lines.GATE,
    lines.DRAWDOWN,
    lines.INTEGRATION,
    lines.KILL_SWITCH,
    lines.KEYS,
    lines.RISK,
    lines.AUDIT,
    lines.CAPITAL,
)


@pytest.fixture(scope="module")
def ready_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The guide's paper session (gate 5→6 ready) and a complete live demo session."""
    db = tmp_path_factory.mktemp("live") / "l2.sqlite"
    guide_session(db)
    write_integration_session(db, "demo", start_ns=T0 + 70 * DAY)
    return db


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.upper().startswith(("KRAKEN_", "BINANCE_US_", "MAX_")):
            monkeypatch.delenv(name)
    env = tmp_path / ".env"
    env.write_text(KEYS + "MAX_ACCEPTABLE_DRAWDOWN_USD=500\n", encoding="utf-8")
    env.chmod(0o600)
    return env


def judge(
    db: Path,
    env: Path,
    *,
    capital: Decimal | None = Decimal(300),
    now_ns: int = T0 + 80 * DAY,
    name: str = PAPER,
) -> Checklist:
    from core.store import SessionReader  # noqa: PLC0415

    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    with SessionReader(db) as reader:
        return live_for(reader, name, settings, env_file=env, capital_usd=capital, now_ns=now_ns)


def verdicts(checklist: Checklist) -> dict[str, Verdict]:
    return {line.title: line.verdict for line in checklist.lines}


def passed_but(**flipped: Verdict) -> dict[str, Verdict]:
    titles = {name: getattr(lines, name) for name in flipped}
    return dict.fromkeys(ALL_LINES, Verdict.PASSED) | {titles[k]: v for k, v in flipped.items()}


def test_every_line_passes_with_every_piece_of_evidence(ready_db: Path, env_file: Path) -> None:
    checklist = judge(ready_db, env_file)
    assert verdicts(checklist) == passed_but()
    gate = checklist.line(lines.GATE)
    assert "347 trades (≥ 100) ✓" in gate.why
    assert any("Win rate 95% interval" in note for note in gate.notes)
    assert "within your limit of $500.00" in checklist.line(lines.DRAWDOWN).why
    risk = checklist.line(lines.RISK).why
    assert risk == "daily loss $50.00 (guide $50.00), position $100.00 (guide $100.00), " + (
        "trades/day 10 (guide 10)"
    )


@pytest.mark.parametrize(
    ("env_text", "flipped"),
    [
        (KEYS, {"DRAWDOWN": Verdict.NOT_YET}),  # no limit stated
        (KEYS + "MAX_ACCEPTABLE_DRAWDOWN_USD=400\n", {"DRAWDOWN": Verdict.FAILED}),
        ("MAX_ACCEPTABLE_DRAWDOWN_USD=500\n", {"KEYS": Verdict.NOT_YET}),
        (
            KEYS + "MAX_ACCEPTABLE_DRAWDOWN_USD=500\nMAX_TRADES_PER_DAY=20\n",
            {"RISK": Verdict.FAILED},
        ),
        (
            KEYS + "MAX_ACCEPTABLE_DRAWDOWN_USD=500\nMAX_POSITION_USD=150\n",
            {"RISK": Verdict.FAILED},
        ),
    ],
)
def test_settings_lines_flip_with_the_settings(
    ready_db: Path, env_file: Path, env_text: str, flipped: dict[str, Verdict]
) -> None:
    env_file.write_text(env_text, encoding="utf-8")
    assert verdicts(judge(ready_db, env_file)) == passed_but(**flipped)


def test_keys_readable_by_others_or_from_the_environment_fail(
    ready_db: Path, env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file.chmod(0o644)
    line = judge(ready_db, env_file).line(lines.KEYS)
    assert line.verdict is Verdict.FAILED and "chmod 600" in line.why
    env_file.chmod(0o600)
    monkeypatch.setenv("KRAKEN_API_SECRET", "from-the-shell")
    line = judge(ready_db, env_file).line(lines.KEYS)
    assert line.verdict is Verdict.FAILED and "KRAKEN_API_SECRET set in the environment" in line.why
    assert "from-the-shell" not in line.why


def test_the_kill_switch_must_have_been_tested_within_30_days(
    ready_db: Path, env_file: Path
) -> None:
    tested = T0 + 70 * DAY + 9 * HOUR
    assert judge(ready_db, env_file, now_ns=tested + 30 * DAY).line(lines.KILL_SWITCH).passed
    late = judge(ready_db, env_file, now_ns=tested + 31 * DAY).line(lines.KILL_SWITCH)
    assert late.verdict is Verdict.FAILED and "31 days ago" in late.why


@pytest.mark.parametrize(
    ("capital", "verdict"),
    [(None, Verdict.NOT_YET), (Decimal(100), Verdict.PASSED), (Decimal(501), Verdict.FAILED)],
)
def test_the_stated_capital_must_sit_in_the_guides_band(
    ready_db: Path, env_file: Path, capital: Decimal | None, verdict: Verdict
) -> None:
    assert judge(ready_db, env_file, capital=capital).line(lines.CAPITAL).verdict is verdict


def test_an_incomplete_integration_session_keeps_its_line_open(
    tmp_path: Path, env_file: Path
) -> None:
    db = tmp_path / "l2.sqlite"
    guide_session(db)
    write_integration_session(db, "demo", EVERYTHING - {HOUR_RUN}, start_ns=T0 + 70 * DAY)
    checklist = judge(db, env_file)
    assert verdicts(checklist) == passed_but(INTEGRATION=Verdict.NOT_YET)
    assert "5 of 7 lines" in checklist.line(lines.INTEGRATION).why


def test_a_young_paper_session_has_not_passed_the_gate_yet(tmp_path: Path, env_file: Path) -> None:
    db = tmp_path / "l2.sqlite"
    trips = trips_from_nets([Decimal(5)] * 20, T0 + HOUR, HOUR)
    write_session(db, "young", trips, [(T0, T0 + 2 * DAY)])
    write_integration_session(db, "demo", start_ns=T0 + 70 * DAY)
    gate = judge(db, env_file, name="young").line(lines.GATE)
    assert gate.verdict is Verdict.NOT_YET
    assert "2.0 of 60 days ✗" in gate.why


def test_a_live_session_is_no_paper_validation(ready_db: Path, env_file: Path) -> None:
    gate = judge(ready_db, env_file, name="demo").line(lines.GATE)
    assert gate.verdict is Verdict.FAILED


def test_the_command_prints_it_and_refuses_a_bad_capital(
    ready_db: Path, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--env-file", str(env_file), "checklist", "live", "--session", PAPER]
    assert main([*args, "--db", str(ready_db), "--capital", "300"]) in (0, 1)
    out = capsys.readouterr().out
    assert out.startswith("Live Trading Preparation\nEvidence: paper session 60days_kraken")
    assert main([*args, "--db", str(ready_db), "--capital", "lots"]) == 2
    assert "bad --capital 'lots'" in capsys.readouterr().err


def test_a_stops_routine_flatten_is_no_kill_switch_test(tmp_path: Path, env_file: Path) -> None:
    """Every live stop asks the venue to confirm flat: that is the kill switch's code, but not
    the trader testing it. A later routine flatten does not renew an old test either."""
    db = tmp_path / "l2.sqlite"
    guide_session(db)
    write_integration_session(db, "old", start_ns=T0 + 30 * DAY)  # tested 49 days before now
    write_integration_session(
        db, "stops", EVERYTHING - {KILL_SWITCH}, start_ns=T0 + 79 * DAY, routine_flatten=True
    )
    line = judge(db, env_file).line(lines.KILL_SWITCH)
    assert line.verdict is Verdict.FAILED
    assert line.why.startswith("last confirmed flat 49 days ago (session old, ")
