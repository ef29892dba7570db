"""The store failing mid-run (issue 15 §6): fills it cannot take wait in a fallback journal
beside the database, and the session's next start merges them, exactly."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.store import RunEnd, SessionReader, SessionStore, StoreClosedError, StoreError, fallback
from tests.core.store.builders import PRODUCT, FakeClock, PaperLedger, spec
from tests.waiting import eventually


async def break_under(store: SessionStore) -> None:
    """Close the store's SQLite connection under it, on its own thread (a real failure of the
    real file handle: every later statement fails)."""
    await asyncio.get_running_loop().run_in_executor(store._thread, store._db.close)


async def test_fills_after_the_store_failed_go_to_the_journal_and_the_next_start_merges_them(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock, heartbeat_s=0.02)
    failures: list[StoreError] = []
    store.on_failure(failures.append)
    ledger = PaperLedger()
    await store.record_fills([ledger.open("43500.5", "0.0023", clock())])  # stored
    await break_under(store)
    await eventually(lambda: failures, 10, what="the writer to stop and say so")
    assert store.failure is failures[0]

    clock.advance(60)
    close = ledger.close("43600.25", clock(), fee="0.05015")
    with pytest.raises(StoreClosedError):
        await store.record_fills([close])
    assert (store.journaled, store.lost) == (1, 0)
    journal = fallback.path_for(db_path)
    assert journal == db_path.with_name(db_path.name + ".unrecorded-fills.jsonl")
    [line] = journal.read_text().splitlines()
    record = json.loads(line)
    assert record["session"] == "60days_kraken"
    assert record["fill"]["price"] == "43600.25"  # exact decimal strings
    assert record["fill"]["fee"] == "0.05015"
    assert record["round_trip"]["net_pnl"] == str(close.round_trip.net_pnl)
    with pytest.raises(StoreError):
        await store.close(RunEnd.INTERRUPTED)

    resumed = await SessionStore.open(db_path, spec(), clock=clock)
    state = resumed.resume
    await resumed.close()
    assert state.merged_fills == 1
    assert state.position(PRODUCT).is_flat
    assert state.realized_pnl == ledger.realized
    assert state.fees_paid == ledger.fees_paid == Decimal("0.10015")
    assert state.round_trips == 1
    assert state.today.realized_pnl_usd == close.round_trip.net_pnl  # the daily loss counts it
    assert not journal.exists(), "merged lines leave the journal"
    with SessionReader(db_path) as reader:
        assert [f.price for f in reader.fills("60days_kraken")] == [
            Decimal("43500.5"),
            Decimal("43600.25"),
        ]


async def test_a_merge_keeps_other_sessions_lines_and_is_safe_to_repeat(
    db_path: Path, clock: FakeClock
) -> None:
    mine = await SessionStore.open(db_path, spec("mine"), clock=clock, heartbeat_s=0.02)
    other = await SessionStore.open(db_path, spec("other"), clock=clock)
    ledger = PaperLedger()
    booked = ledger.open("100", "1", clock())
    await break_under(mine)
    await eventually(lambda: mine.failure is not None, 10, what="the writer to stop")
    with pytest.raises(StoreClosedError):
        await mine.record_fills([booked])
    # A line of another session (as its own failed run would have left it) stays put.
    journal = fallback.path_for(db_path)
    foreign = json.loads(journal.read_text())
    foreign["session"] = "other"
    journal.write_text(journal.read_text() + json.dumps(foreign) + "\n")
    await other.close()
    with pytest.raises(StoreError):
        await mine.close()

    again = await SessionStore.open(db_path, spec("mine"), clock=clock)
    await again.close()
    assert again.resume.merged_fills == 1
    assert [json.loads(x)["session"] for x in journal.read_text().splitlines()] == ["other"]
    # Written twice (a merge interrupted before its lines were dropped): stored once.
    journal.write_text(journal.read_text() + line_of(foreign, "mine"))
    twice = await SessionStore.open(db_path, spec("mine"), clock=clock)
    await twice.close()
    assert twice.resume.merged_fills == 0
    with SessionReader(db_path) as reader:
        assert len(reader.fills("mine")) == 1


def line_of(record: dict[str, object], session: str) -> str:
    return json.dumps({**record, "session": session}) + "\n"
