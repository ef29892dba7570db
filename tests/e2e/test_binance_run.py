"""`l2console run --broker binance_us` as a newcomer runs it: the real CLI in a subprocess,
pointed at a simulated Binance.us venue started by the test through the URL overrides."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from brokers.sim import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET, BinanceUsSimServer
from core.store import SessionReader
from tests.e2e.conftest import Run, clean_env, l2console_argv

pytestmark = pytest.mark.e2e

# Seed 20's synthetic market swings both ways within seconds: bullish and bearish signals.
SEED = 20
FAST = {
    "COOLDOWN_SECONDS": "0.5",
    "ENTRY_IMBALANCE_RATIO": "2",
    "MAX_HOLD_SECONDS": "1",
    "STATE_INTERVAL_SECONDS": "1",
}
BANNER = "Binance.us L2 {what} initialized | Symbol: BTCUSDT | Mode: {mode} | Duration: 5 s"
SNAPSHOT = re.compile(r"^Order book snapshot loaded: \d+ bids, \d+ asks$")
SIGNAL = re.compile(
    r"^SIGNAL #(\d+): (BUY|SELL|CLOSE) \| Price: \d+\.\d\d \| Qty: 0\.\d{5} \| Reason: .+$"
)
IGNORED = " | ignored (spot: no shorting)"


async def l2console(
    tmp_path: Path, *args: str, env: Mapping[str, str], timeout_s: float = 40
) -> Run:
    """The CLI as a child process; the event loop keeps serving the sim meanwhile."""
    proc = await asyncio.create_subprocess_exec(
        *l2console_argv(*args, env_file=tmp_path / "absent.env"),
        cwd=tmp_path,
        env=clean_env(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


def overrides(server: BinanceUsSimServer) -> dict[str, str]:
    return {"BINANCE_US_WS_URL": server.ws_url, "BINANCE_US_REST_URL": server.rest_url}


def assert_one_line_error(run: Run, *fragments: str) -> None:
    assert run.returncode == 2, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in lines[0]


async def test_a_dry_run_on_the_sim_shows_the_long_only_strategy(tmp_path: Path) -> None:
    # No fixed duration: run until the market's bearish swing has shown (bounded), then stop
    # it as a user would, so a slow machine cannot make the swing fall outside the window.
    async with BinanceUsSimServer(seed=SEED, rate_hz=400) as server:
        proc = await asyncio.create_subprocess_exec(
            *l2console_argv(
                *("run", "--broker", "binance_us", "--symbol", "BTCUSDT", "--dry-run", "--no-ui"),
                env_file=tmp_path / "absent.env",
            ),
            cwd=tmp_path,
            env=clean_env({**overrides(server), **FAST}),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            head = await asyncio.wait_for(_lines_until(proc, ": SELL |"), timeout=40)
            proc.send_signal(signal.SIGINT)
            out, err = await asyncio.wait_for(proc.communicate(), timeout=40)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, err.decode()
    lines = head + out.decode().splitlines()
    assert lines[0] == BANNER.format(what="Demo", mode="DRY RUN").replace("5 s", "until stopped")
    assert lines[1] == f"Venue: Binance.us | {server.ws_url}/ws/btcusdt@depth@100ms"
    assert lines[2].startswith("DRY RUN: a look, not a record")
    assert any(SNAPSHOT.match(line) for line in lines)
    signals = [line for line in lines if line.startswith("SIGNAL #")]
    assert signals and all(SIGNAL.match(s.removesuffix(IGNORED)) for s in signals), signals
    sells = [s for s in signals if ": SELL |" in s]
    assert sells
    assert all(s.endswith(IGNORED) for s in sells)  # never a short
    assert not [s for s in signals if s.endswith(IGNORED) and ": SELL |" not in s]
    assert f"Signals Generated: {len(signals)}" in lines
    assert f"Ignored Signals: {len(sells)} (spot: no shorting)" in lines
    assert any(re.fullmatch(r"Trades Executed: \d+ \(DRY RUN\)", line) for line in lines)
    assert "Traceback" not in err.decode()
    # A dry run fetched the rules and the book: no key, no order ever reached the venue.
    assert {r.endpoint for r in server.rest.requests} <= {"exchangeInfo", "depth"}
    assert all(not r.key for r in server.rest.requests)


async def _lines_until(proc: asyncio.subprocess.Process, fragment: str) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    while line := (await proc.stdout.readline()).decode():
        lines.append(line.rstrip("\n"))
        if fragment in line:
            return lines
    raise AssertionError(f"{fragment!r} never printed: {lines[-10:]}")


async def test_live_without_the_real_money_flag_is_refused_and_nothing_is_sent(
    tmp_path: Path,
) -> None:
    keys = {
        "BINANCE_US_API_KEY": BINANCE_SIM_API_KEY,
        "BINANCE_US_API_SECRET": BINANCE_SIM_API_SECRET,
    }
    async with BinanceUsSimServer(seed=SEED) as server:
        run = await l2console(
            tmp_path,
            *("run", "--broker", "binance_us", "--symbol", "BTCUSDT", "--live", "--no-ui"),
            env={**overrides(server), **keys},
        )
    assert_one_line_error(run, "refusing to trade real money", "--i-understand-this-is-real-money")
    assert "demo" not in run.stderr  # Kraken's rehearsal note is Kraken's alone
    assert run.stdout == ""
    assert server.rest.requests == []
    assert server.streams.connections == 0


async def test_live_with_the_flag_but_no_keys_names_the_settings(tmp_path: Path) -> None:
    async with BinanceUsSimServer(seed=SEED) as server:
        run = await l2console(
            tmp_path,
            *("run", "--broker", "binance_us", "--live", "--i-understand-this-is-real-money"),
            *("--no-ui", "--session", "live1", "--skip-checklist"),
            env=overrides(server),
        )
    skipped, error = run.stderr.splitlines()  # the door's notice, then the one-line error
    assert skipped.startswith("l2console: --skip-checklist: trading real money WITHOUT")
    assert run.returncode == 2
    assert "BINANCE_US_API_KEY and BINANCE_US_API_SECRET" in error
    assert server.rest.requests == []


async def test_a_symbol_binance_us_does_not_list(tmp_path: Path) -> None:
    async with BinanceUsSimServer(seed=SEED) as server:
        run = await l2console(
            tmp_path,
            *("run", "--broker", "binance_us", "--symbol", "NOPEUSDT", "--duration", "5"),
            "--no-ui",
            env=overrides(server),
        )
    assert_one_line_error(run, "NOPEUSDT is not listed by Binance.us", "BTCUSDT")


async def test_an_unreachable_venue_and_a_malformed_override(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = await l2console(
        tmp_path,
        *("run", "--broker", "binance_us", "--duration", "5", "--no-ui"),
        env={
            "BINANCE_US_WS_URL": f"ws://127.0.0.1:{port}",
            "BINANCE_US_REST_URL": f"http://127.0.0.1:{port}",
        },
    )
    assert_one_line_error(unreachable, "cannot reach Binance.us")
    malformed = await l2console(
        tmp_path,
        *("run", "--broker", "binance_us", "--duration", "5", "--no-ui"),
        env={"BINANCE_US_WS_URL": "ws://127.0.0.1:8081/ws"},
    )
    assert_one_line_error(malformed, "BINANCE_US_WS_URL is the host only")


async def test_live_with_the_flag_shows_the_loud_banner_and_ends_flat(tmp_path: Path) -> None:
    keys = {
        "BINANCE_US_API_KEY": BINANCE_SIM_API_KEY,
        "BINANCE_US_API_SECRET": BINANCE_SIM_API_SECRET,
    }
    async with BinanceUsSimServer(seed=SEED, rate_hz=400) as server:
        run = await l2console(
            tmp_path,
            *("run", "--broker", "binance_us", "--duration", "5", "--live"),
            *("--i-understand-this-is-real-money", "--no-ui"),
            *("--session", "live1", "--skip-checklist"),
            env={**overrides(server), **keys, **FAST},
        )
        account = server.exchange.account(BINANCE_SIM_API_KEY)
    assert run.returncode == 0, run.stderr
    # The door was skipped on purpose: said out loud, and kept with the run.
    assert "--skip-checklist: trading real money WITHOUT the live checklist" in run.stderr
    with SessionReader(tmp_path / "data" / "l2console.sqlite") as reader:
        (recorded,) = reader.evidence("live1").runs
    assert recorded.parameters["real_money_door"] == {
        "checklist": "skipped",
        "validated_by": None,
        "capital_usd": None,
    }
    lines = run.lines
    assert lines[0] == BANNER.format(what="REAL MONEY", mode="LIVE REAL MONEY")
    assert "!!! LIVE REAL MONEY: every order below is real !!!" in lines
    assert any(line.startswith("Kill switch: flat confirmed by the venue") for line in lines)
    assert "Position: flat" in lines
    buys = [o for o in account.orders.values() if o.side.value == "BUY"]
    assert buys
    # What stays is the sub-step remainder each BUY's commission left: less than a step each.
    assert account.balance("BTC") < Decimal("0.00001") * len(buys)
    sells = [s for s in lines if s.startswith("SIGNAL #") and ": SELL |" in s]
    assert all(s.endswith(IGNORED) for s in sells)
