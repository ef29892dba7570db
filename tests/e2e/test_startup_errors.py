"""Every user-facing mistake at start-up: one line on stderr, exit status 2, no traceback."""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.e2e


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_one_line_error(run, *fragments: str) -> None:
    assert run.returncode == 2, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_symbol_the_venue_does_not_list(l2console) -> None:
    run = l2console("run", "--symbol", "PF_NOPEUSD", "--duration", "5", "--no-ui")
    assert_one_line_error(run, "PF_NOPEUSD is not listed")


def test_a_bad_setting_names_the_setting(l2console) -> None:
    run = l2console("run", "--duration", "5", "--no-ui", env={"MAX_DAILY_LOSS_USD": "-5"})
    assert_one_line_error(run, "MAX_DAILY_LOSS_USD")


def test_a_bad_duration(l2console) -> None:
    assert_one_line_error(l2console("run", "--duration", "soon", "--no-ui"), "bad duration")


def test_a_bad_argument(l2console) -> None:
    assert_one_line_error(l2console("run", "--broker", "mtgox"), "invalid choice")


def test_an_unreachable_venue(l2console) -> None:
    port = closed_port()
    env = {
        "KRAKEN_FUTURES_REST_URL": f"http://127.0.0.1:{port}/derivatives/api/v3",
        "KRAKEN_FUTURES_WS_URL": f"ws://127.0.0.1:{port}/ws/v1",
        "KRAKEN_PROTOCOL": "v1",
    }
    run = l2console("run", "--broker", "kraken", "--duration", "5", "--no-ui", env=env)
    assert_one_line_error(run, "cannot reach Kraken Futures")


def test_live_on_kraken_is_real_money_and_needs_the_flag(l2console) -> None:
    run = l2console("run", "--broker", "kraken", "--live", "--duration", "5", "--no-ui")
    assert_one_line_error(
        run,
        "refusing to trade real money",
        "--i-understand-this-is-real-money",
        "Kraken retired its Futures demo on 14 July 2026",
        "rehearse with `l2console run --live` on the simulated venue",
    )


def test_live_on_kraken_without_keys(l2console) -> None:
    run = l2console(
        *("run", "--broker", "kraken", "--live", "--duration", "5", "--no-ui"),
        *("--i-understand-this-is-real-money", "--session", "k1", "--skip-checklist"),
    )
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    skipped, refused = run.stderr.strip().splitlines()  # the door says it was skipped, then why
    assert "--skip-checklist" in skipped
    assert "KRAKEN_API_KEY" in refused and "KRAKEN_API_SECRET" in refused
    assert "real money" in refused


def test_production_is_gone_with_the_demo(l2console) -> None:
    run = l2console("run", "--broker", "kraken", "--live", "--production", "--no-ui")
    assert_one_line_error(run, "--production is gone", "retired", "l2console run --live")
