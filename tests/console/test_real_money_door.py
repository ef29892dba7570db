"""The door to real money: a real-money run refuses with the live checklist's open lines unless
every line passes or the trader adds --skip-checklist, on both real venues alike (Kraken has had
no demo since July 2026: its --live is real money as Binance.us's is). Nothing here reaches a
real venue: the endpoints point at a closed local port, so a run let through stops at
connecting (``tests/e2e/test_real_money_door_run.py`` lets runs through to the simulated venues
and reads what their record kept)."""

from __future__ import annotations

import os
import socket
import time
from decimal import Decimal
from pathlib import Path

import pytest

from console.cli import main
from console.door import door_record
from console.options import RunOptions
from core.enums import Mode
from tests.console.checklist_sessions import DAY, write_integration_session
from tests.console.report_sessions import guide_session

PAPER = "60days_kraken"
# Per venue: its real-money keys and endpoint settings ({url} a closed local port), and what a
# run let through says when it cannot connect.
VENUES = {
    "binance_us": (
        "BINANCE_US_API_KEY=k-123\nBINANCE_US_API_SECRET=s-456\n"
        "BINANCE_US_WS_URL=ws://{host}\nBINANCE_US_REST_URL=http://{host}\n",
        "cannot reach Binance.us",
    ),
    "kraken": (
        "KRAKEN_API_KEY=k-123\nKRAKEN_API_SECRET=czQ1Ng==\n"
        "KRAKEN_WS_PUBLIC_URL=ws://{host}/v2/public\nKRAKEN_WS_PRIVATE_URL=ws://{host}/v2/private\n"
        "KRAKEN_REST_URL=http://{host}\n",
        "cannot reach Kraken",
    ),
}


@pytest.fixture(scope="module")
def ready_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A paper session past gate 5→6, and a live demo session whose kill switch is a day old."""
    db = tmp_path_factory.mktemp("door") / "l2.sqlite"
    guide_session(db)
    write_integration_session(db, "demo", start_ns=time.time_ns() - DAY)
    return db


@pytest.fixture(params=sorted(VENUES))
def venue(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, venue: str) -> Path:
    for name in list(os.environ):
        if name.upper().startswith(("KRAKEN_", "BINANCE_US_", "MAX_", "L2CONSOLE_")):
            monkeypatch.delenv(name)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = tmp_path / ".env"
    keys_and_urls = VENUES[venue][0].format(host=f"127.0.0.1:{port}")
    env.write_text(keys_and_urls + "MAX_ACCEPTABLE_DRAWDOWN_USD=500\n", encoding="utf-8")
    env.chmod(0o600)
    return env


@pytest.fixture
def unreachable(venue: str) -> str:
    return VENUES[venue][1]


def real_money(venue: str, env: Path, db: Path, *extra: str) -> list[str]:
    return [
        *("--env-file", str(env), "run", "--broker", venue, "--live"),
        *("--i-understand-this-is-real-money", "--no-ui", "--duration", "5", "--db", str(db)),
        *extra,
    ]


def test_a_passing_checklist_lets_the_run_through(
    venue: str, ready_db: Path, env_file: Path, unreachable: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = real_money(venue, env_file, ready_db, "--session", "live1", "--validated-by", PAPER)
    assert main([*argv, "--capital", "300"]) == 2
    err = capsys.readouterr().err
    assert unreachable in err  # through the door, stopped at the venue
    assert "refusing" not in err


def test_an_open_line_refuses_with_the_open_lines(
    venue: str, ready_db: Path, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = real_money(venue, env_file, ready_db, "--session", "live1", "--validated-by", PAPER)
    assert main(argv) == 2  # no --capital: that line is open
    err = capsys.readouterr().err
    assert err.startswith(
        "l2console: refusing real money: the live checklist of paper session 60days_kraken "
        "has 1 open lines"
    )
    assert "  not yet  Capital within the guide's $100–500: not stated" in err
    assert "cannot reach" not in err
    assert main([*argv, "--capital", "5000"]) == 2
    assert "  ✗  Capital within the guide's $100–500: $5,000.00 stated" in capsys.readouterr().err


def test_keys_left_readable_refuse_too(
    venue: str, ready_db: Path, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file.chmod(0o640)
    argv = real_money(venue, env_file, ready_db, "--session", "live1", "--validated-by", PAPER)
    assert main([*argv, "--capital", "300"]) == 2
    err = capsys.readouterr().err
    assert "API keys only in .env" in err and "chmod 600" in err
    assert "k-123" not in err and "s-456" not in err and "czQ1Ng" not in err


def test_without_validation_or_a_session_it_refuses(
    venue: str, ready_db: Path, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(real_money(venue, env_file, ready_db, "--session", "live1")) == 2
    assert "add --validated-by SESSION" in capsys.readouterr().err
    assert main(real_money(venue, env_file, ready_db, "--validated-by", PAPER)) == 2
    assert "real money keeps an audit trail: add --session NAME" in capsys.readouterr().err


def test_skip_checklist_is_printed_and_lets_the_run_through(
    venue: str, ready_db: Path, env_file: Path, unreachable: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(real_money(venue, env_file, ready_db, "--session", "live1", "--skip-checklist")) == 2
    )
    err = capsys.readouterr().err
    assert "--skip-checklist: trading real money WITHOUT the live checklist" in err
    assert unreachable in err


def test_the_door_flags_guard_real_money_only(
    ready_db: Path, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--env-file", str(env_file), "run", "--broker", "sim", "--live", "--no-ui"]
    assert main([*argv, "--skip-checklist"]) == 2
    assert "guard real money only" in capsys.readouterr().err


def test_the_run_record_keeps_what_the_door_decided() -> None:
    options = RunOptions(
        broker="binance_us",
        symbol="BTCUSDT",
        mode=Mode.LIVE,
        duration_s=None,
        ui=False,
        real_money_ack=True,
        session="live1",
        skip_checklist=True,
    )
    assert door_record(options) == {
        "real_money": True,
        "real_money_door": {"checklist": "skipped", "validated_by": None, "capital_usd": None},
    }
    rehearsal = RunOptions(
        broker="sim", symbol="PF_XBTUSD", mode=Mode.LIVE, duration_s=None, ui=False
    )
    assert door_record(rehearsal) == {"real_money": False}
    # No Kraken demo any more: Kraken live is real money, with or without the flag.
    kraken = RunOptions(
        broker="kraken", symbol="PF_XBTUSD", mode=Mode.LIVE, duration_s=None, ui=False
    )
    assert door_record(kraken)["real_money"] is True
    assert door_record(
        RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,
            validated_by=PAPER,
            capital_usd=Decimal(300),
        )
    )["real_money_door"] == {"checklist": "passed", "validated_by": PAPER, "capital_usd": "300"}
