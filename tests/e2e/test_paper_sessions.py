"""`l2console paper` as a user runs it: named sessions that survive SIGTERM and kill -9."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.conftest import FAST_SIM, clean_env, l2console_argv

pytestmark = pytest.mark.e2e

# Once in a position, only the kill switch (or the test) ends it.
HOLD = {
    **FAST_SIM,
    "TAKE_PROFIT_PCT": "50",
    "STOP_LOSS_PCT": "50",
    "MAX_HOLD_SECONDS": "86400",
    "REVERSAL_IMBALANCE_RATIO": "1000000",
}
SIGNAL = re.compile(r"^SIGNAL #(\d+): ")


async def start_paper(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    return await asyncio.create_subprocess_exec(
        *l2console_argv(
            "paper",
            "--no-ui",
            "--db",
            str(tmp_path / "l2.sqlite"),
            *args,
            env_file=tmp_path / "absent.env",
        ),
        cwd=tmp_path,
        env=clean_env(env if env is not None else HOLD),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(proc: asyncio.subprocess.Process, pattern: str, seen: list[str]) -> str:
    assert proc.stdout is not None
    while line := (await proc.stdout.readline()).decode():
        seen.append(line.rstrip("\n"))
        if re.search(pattern, line):
            return line
    raise AssertionError(f"{pattern!r} never printed; output: {seen[-20:]}")


async def finish(proc: asyncio.subprocess.Process, seen: list[str]) -> int:
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    seen.extend(out.decode().splitlines())
    assert "Traceback" not in err.decode(), err.decode()
    return proc.returncode if proc.returncode is not None else -1


def db_rows(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "l2.sqlite") as db:
        return db.execute(sql).fetchall()


async def wait_for_fill_row(tmp_path: Path, count: int, within_s: float = 30) -> None:
    for _ in range(int(within_s / 0.1)):
        if (tmp_path / "l2.sqlite").exists():
            try:
                if db_rows(tmp_path, "SELECT COUNT(*) FROM fills")[0][0] >= count:
                    return
            except sqlite3.OperationalError:
                pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"fewer than {count} fills recorded within {within_s}s")


def ledger_matches_fills(tmp_path: Path) -> None:
    """The stored position is exactly the signed sum of the stored fills; no fill twice."""
    fills = db_rows(tmp_path, "SELECT fill_id, side, quantity FROM fills")
    assert len({f[0] for f in fills}) == len(fills)
    signed = sum((Decimal(q) if side == "BUY" else -Decimal(q) for _, side, q in fills), Decimal(0))
    [(stored,)] = db_rows(tmp_path, "SELECT quantity FROM positions")
    assert Decimal(stored) == signed


async def test_sigterm_flattens_and_the_next_run_resumes_numbering_and_the_record(
    tmp_path: Path,
) -> None:
    seen: list[str] = []
    proc = await start_paper(tmp_path, "--session", "s1")
    try:
        await read_until(proc, r"^SIGNAL #\d+: (BUY|SELL) ", seen)
        await wait_for_fill_row(tmp_path, 1)
        proc.send_signal(signal.SIGTERM)
        assert await finish(proc, seen) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert "Session: s1 (new)" in seen
    assert "Kill switch: flat confirmed (simulated)" in seen
    first_run_last = max(int(m.group(1)) for m in map(SIGNAL.match, seen) if m)

    seen2: list[str] = []
    proc = await start_paper(tmp_path, "--session", "s1", "--duration", "0.05")  # 3 s
    assert await finish(proc, seen2) == 0
    assert any(line.startswith("Session: s1 resumed | run #2 |") for line in seen2), seen2
    numbers = [int(m.group(1)) for m in map(SIGNAL.match, seen2) if m]
    assert numbers
    assert numbers[0] == first_run_last + 1
    ledger_matches_fills(tmp_path)
    runs = db_rows(tmp_path, "SELECT how_ended FROM runs ORDER BY id")
    assert runs == [("interrupted",), ("completed",)]
    [(trips,)] = db_rows(tmp_path, "SELECT COUNT(*) FROM round_trips")
    report = json.loads(
        (await _cli(tmp_path, "report", "--session", "s1", "--format", "json")).strip()
    )
    assert report["trades"]["total"] == trips >= 1
    # both runs stored their fill bands; the paper fills' own band is the report's trades
    bands = {band["model"]: band for band in report["fill_bands"]}
    assert list(bands) == ["pessimistic", "default", "optimistic"]
    assert [band["runs"] for band in bands.values()] == [2, 2, 2]
    assert bands["default"]["trades"] == trips
    assert Decimal(bands["default"]["net_pnl"]) == Decimal(report["pnl"]["total"])
    # the resumed run's summary keeps this run and the session apart, and each adds up exactly
    run = totals_line(seen2, "This Run: Round Trips: ")
    whole = totals_line(seen2, "Session: Round Trips: ")
    assert whole[0] == trips and 0 <= run[0] <= trips
    assert whole[3] == Decimal(report["pnl"]["total"])  # flat at the end: closed trades only
    for _, realized, fees, net in (run, whole):
        assert realized - fees == net
    assert any(line.startswith(f"Signals Generated: {len(numbers)} this run (") for line in seen2)


def totals_line(lines: list[str], prefix: str) -> tuple[int, Decimal, Decimal, Decimal]:
    """``This Run: Round Trips: 1 | Realized P&L: -$0.0329 | Fees: $0.0956 | Net P&L: ...``."""
    line = next(line for line in lines if line.startswith(prefix))
    count, *amounts = line.removeprefix(prefix).split(" | ")
    realized, fees, net = (
        Decimal(a.split(": ")[1].replace("$", "").replace(",", "")) for a in amounts
    )
    return int(count), realized, fees, net


async def test_kill_9_mid_position_then_resume_keeps_the_position_and_loses_nothing(
    tmp_path: Path,
) -> None:
    seen: list[str] = []
    proc = await start_paper(tmp_path, "--session", "k9")
    try:
        await read_until(proc, r"^SIGNAL #\d+: (BUY|SELL) ", seen)
        await wait_for_fill_row(tmp_path, 1)
        proc.kill()  # SIGKILL: nothing runs, nothing is flushed
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    ledger_matches_fills(tmp_path)
    [(held,)] = db_rows(tmp_path, "SELECT quantity FROM positions")
    assert Decimal(held) != 0

    seen2: list[str] = []
    proc = await start_paper(tmp_path, "--session", "k9")
    try:
        resumed = await read_until(proc, r"^Session: k9 resumed", seen2)
        assert "1 crashed run(s) closed" in resumed
        assert (
            f"position {'LONG' if Decimal(held) > 0 else 'SHORT'} {abs(Decimal(held))}" in resumed
        )
        await read_until(proc, r"^STATE \|", seen2)
        proc.send_signal(signal.SIGTERM)
        assert await finish(proc, seen2) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert "Kill switch: flat confirmed (simulated)" in seen2
    ledger_matches_fills(tmp_path)
    [(final,)] = db_rows(tmp_path, "SELECT quantity FROM positions")
    assert Decimal(final) == 0
    runs = db_rows(tmp_path, "SELECT how_ended FROM runs ORDER BY id")
    assert runs == [("crashed",), ("interrupted",)]
    # The round trip opened before the crash was closed after it, exactly once.
    [(trips,)] = db_rows(tmp_path, "SELECT COUNT(*) FROM round_trips")
    assert trips == 1


async def test_resuming_on_another_symbol_is_refused_in_one_line(tmp_path: Path) -> None:
    proc = await start_paper(tmp_path, "--session", "x", "--duration", "0.02")
    assert await finish(proc, []) == 0
    proc = await start_paper(tmp_path, "--session", "x", "--symbol", "PF_ETHUSD", "--duration", "1")
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 2
    assert len(lines) == 1
    assert "PF_XBTUSD" in lines[0]
    assert "Traceback" not in err.decode()


async def test_two_sessions_in_two_processes_share_one_database(tmp_path: Path) -> None:
    procs = [
        await start_paper(tmp_path, "--session", name, "--duration", "0.06", env=FAST_SIM)
        for name in ("left", "right")
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in procs))
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert "locked" not in err.decode()
    listing = await _cli(tmp_path, "sessions")
    assert re.search(r"^left\s+sim\s+PF_XBTUSD\s+PAPER", listing, re.M)
    assert re.search(r"^right\s+sim\s+PF_XBTUSD\s+PAPER", listing, re.M)


async def _cli(tmp_path: Path, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        *l2console_argv(*args, "--db", str(tmp_path / "l2.sqlite"), env_file=tmp_path / "x.env"),
        cwd=tmp_path,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    return out.decode()
