"""Durability: a paper session killed with ``kill -9`` at random moments, resumed each time.

After every kill the record must be whole: no fill lost (every fill the store acknowledged is
there, and the position, P&L and fees it stored are exactly what its fills add up to), none
twice (fill ids and client order ids unique, no order over-filled), and the resumed run
continues from exactly that state (the position it announces, the next signal number). At the
end a clean stop flattens and the ledger rebuilt from every fill of every run is the stored one,
to the last decimal, round trip by round trip.

``make test`` runs a few kills; ``make soak`` (``-m soak``) runs 25 and prints the numbers.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from core.enums import Side
from core.events import Fill
from core.ledger import Ledger
from tests.core.factories import linear_instrument
from tests.e2e.conftest import clean_env
from tests.e2e.console_process import ConsoleProcess, decisions_on_a_book_not_live

pytestmark = pytest.mark.e2e

# Trade often, so kills land before, during and after fills and their commits.
BUSY = {
    "SIM_RATE_HZ": "400",
    "COOLDOWN_SECONDS": "0.2",
    "TAKE_PROFIT_PCT": "0.01",
    "STOP_LOSS_PCT": "0.01",
    "MAX_HOLD_SECONDS": "1",
    "ENTRY_IMBALANCE_RATIO": "1.5",
    "REVERSAL_IMBALANCE_RATIO": "1.2",
    "MAX_TRADES_PER_DAY": "100000",
    "MAX_DAILY_LOSS_USD": "100000",
    "STATE_INTERVAL_SECONDS": "1",
}


@dataclass
class Record:
    fills: list[tuple]
    orders: list[tuple]
    position: tuple | None
    ledger: tuple | None
    round_trips: list[tuple]
    signals: list[int]


def read_record(db: Path) -> Record:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return Record(
            fills=conn.execute(
                "SELECT fill_id, client_order_id, side, price, quantity, fee, wall_ns,"
                " slippage_bps FROM fills ORDER BY id"
            ).fetchall(),
            orders=conn.execute("SELECT client_order_id, quantity FROM orders").fetchall(),
            position=conn.execute("SELECT quantity, entry_price, fees FROM positions").fetchone(),
            ledger=conn.execute("SELECT realized_pnl, fees_paid FROM ledgers").fetchone(),
            round_trips=conn.execute(
                "SELECT quantity, gross_pnl, fees, net_pnl FROM round_trips ORDER BY id"
            ).fetchall(),
            signals=[n for (n,) in conn.execute("SELECT number FROM signals ORDER BY number")],
        )


def rebuilt(record: Record) -> tuple[Ledger, list[tuple]]:
    ledger = Ledger(linear_instrument())
    trips = []
    for fill_id, cid, side, price, quantity, fee, wall_ns, slippage in record.fills:
        fill = Fill(
            "PF_XBTUSD",
            Side(side),
            Decimal(price),
            Decimal(quantity),
            Decimal(fee),
            wall_ns,
            cid,
            fill_id,
            Decimal(slippage),
        )
        trip = ledger.apply(fill)
        if trip is not None:
            trips.append((trip.quantity, trip.gross_pnl, trip.fees, trip.net_pnl))
    return ledger, trips


def check_whole(record: Record) -> None:
    """The record is whole and exact (see the module doc)."""
    fill_ids = [f[0] for f in record.fills]
    assert len(fill_ids) == len(set(fill_ids)), "a fill recorded twice"
    ordered = {cid: Decimal(q) for cid, q in record.orders}
    assert len(ordered) == len(record.orders), "a client order id used twice"
    filled: dict[str, Decimal] = {}
    for _, cid, _, _, quantity, *_ in record.fills:
        assert cid in ordered, "a fill without its order"
        filled[cid] = filled.get(cid, Decimal(0)) + Decimal(quantity)
    assert all(filled[cid] <= ordered[cid] for cid in filled), "an order filled beyond its size"
    assert len(record.signals) == len(set(record.signals)), "a signal number used twice"
    ledger, trips = rebuilt(record)
    if record.position is None:
        assert not record.fills
        return
    quantity, _, _ = record.position
    realized, fees_paid = record.ledger or ("0", "0")
    assert Decimal(quantity) == ledger.position.quantity
    assert Decimal(realized) == ledger.realized_pnl, "realized P&L is not what the fills add to"
    assert Decimal(fees_paid) == ledger.fees_paid
    stored_trips = [tuple(Decimal(v) for v in t) for t in record.round_trips]
    assert stored_trips == trips, "round trips are not what the fills add up to"


async def run_and_kill(tmp_path: Path, db: Path, rng: random.Random) -> tuple[list[str], float]:
    args = ("paper", "--no-ui", "--db", str(db), "--session", "soak")
    process = await ConsoleProcess.start(*args, env=clean_env(BUSY), cwd=tmp_path)
    try:
        await process.line(r"^Session: soak ", timeout_s=60)
        await process.line(r"^Order book snapshot loaded", timeout_s=60)
        alive = rng.uniform(0.05, 2.5)
        await asyncio.sleep(alive)
        process.signal(signal.SIGKILL)
        assert await process.wait() == -signal.SIGKILL
        return process.lines, alive
    finally:
        await process.close()


async def resumed_line(tmp_path: Path, db: Path) -> tuple[str, list[str]]:
    args = ("paper", "--no-ui", "--db", str(db), "--session", "soak")
    process = await ConsoleProcess.start(*args, env=clean_env(BUSY), cwd=tmp_path)
    try:
        line = (await process.line(r"^Session: soak resumed ", timeout_s=60)).string
        await process.line(r"^STATE \|", timeout_s=60)
        process.signal(signal.SIGTERM)
        assert await process.wait() == 0, process.stderr
        return line, process.lines
    finally:
        await process.close()


@pytest.mark.parametrize(
    "kills",
    [pytest.param(3, id="3-kills"), pytest.param(25, id="25-kills", marks=pytest.mark.soak)],
)
async def test_kill_9_at_random_moments_then_resume_loses_and_doubles_nothing(
    tmp_path: Path, kills: int, report_line: Callable[[str], None]
) -> None:
    db = tmp_path / "l2.sqlite"
    rng = random.Random(kills)
    started = time.monotonic()
    fills_before = 0
    killed_with_position = 0
    outputs: list[str] = []
    for _ in range(kills):
        lines, _ = await run_and_kill(tmp_path, db, rng)
        outputs += lines
        record = read_record(db)
        check_whole(record)
        assert len(record.fills) >= fills_before, "a recorded fill disappeared"
        fills_before = len(record.fills)
        if record.position is not None and Decimal(record.position[0]) != 0:
            killed_with_position += 1
    before_resume = read_record(db)
    line, lines = await resumed_line(tmp_path, db)
    outputs += lines
    held = Decimal(before_resume.position[0]) if before_resume.position else Decimal(0)
    if held:
        side = "LONG" if held > 0 else "SHORT"
        assert f"position {side} {abs(held)} @" in line, line
    else:
        assert "position flat" in line, line
    assert "1 crashed run(s) closed" in line  # the run killed last; earlier ones were closed
    final = read_record(db)
    check_whole(final)
    assert final.position is not None and Decimal(final.position[0]) == 0, "flat after SIGTERM"
    assert final.signals[0] >= 1 and final.signals == sorted(set(final.signals))
    assert not decisions_on_a_book_not_live(outputs)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT how_ended FROM runs ORDER BY id").fetchall()
    assert [h for (h,) in runs] == ["crashed"] * kills + ["interrupted"]
    assert len(final.fills) > kills, "the kills landed in a session that really traded"
    report_line(
        f"durability: {kills} kill -9 + resume in {time.monotonic() - started:.0f}s, "
        f"{len(final.fills)} fills, {len(final.round_trips)} round trips, "
        f"{killed_with_position} kills with a position open, 0 lost, 0 duplicated, ledger exact"
    )


def test_the_record_checker_catches_a_missing_and_a_doubled_fill() -> None:
    """The checks above can fail: a record with a fill missing or doubled is refused."""
    fill = ("f1", "c1", "BUY", "100", "1", "0.05", 1, "0")
    close = ("f2", "c2", "SELL", "101", "1", "0.05", 2, "0")
    whole = Record(
        fills=[fill, close],
        orders=[("c1", "1"), ("c2", "1")],
        position=("0", "0", "0"),
        ledger=("1", "0.10"),
        round_trips=[("1", "1", "0.10", "0.90")],
        signals=[1, 2],
    )
    check_whole(whole)
    missing = Record(**{**whole.__dict__, "fills": [fill]})
    doubled = Record(**{**whole.__dict__, "fills": [fill, fill, close]})
    for broken in (missing, doubled):
        with pytest.raises(AssertionError):
            check_whole(broken)
