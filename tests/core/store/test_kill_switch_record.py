"""Kill switch results are kept with the session: who pulled it, and what the venue said."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.store import RunEnd, SessionStore
from core.store.schema import APPLICATION_ID, MIGRATIONS
from tests.core.store.builders import FakeClock, spec


async def test_kill_switch_results_are_recorded_with_their_run(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    store.record_kill_switch(
        reason="Flatten command (l2console flatten)",
        phase="flat",
        detail="flat confirmed by the venue",
        wall_ns=clock(),
    )
    store.record_kill_switch(
        reason="Shutdown: flatten",
        phase="failed",
        detail="NOT FLAT after 8 tries: position 0.0022 PF_XBTUSD",
        wall_ns=clock() + 1,
    )
    await store.close(RunEnd.INTERRUPTED)
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT k.reason, k.phase, k.detail, k.run_id = r.id FROM kill_switch_events k"
            " JOIN runs r ON r.session_id = k.session_id ORDER BY k.id"
        ).fetchall()
    assert rows == [
        ("Flatten command (l2console flatten)", "flat", "flat confirmed by the venue", 1),
        ("Shutdown: flatten", "failed", "NOT FLAT after 8 tries: position 0.0022 PF_XBTUSD", 1),
    ]


async def test_a_database_of_the_first_version_is_upgraded_and_keeps_its_sessions(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as db:
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("PRAGMA user_version=1")
    first = await SessionStore.open(db_path, spec(), clock=clock)
    await first.close()
    again = await SessionStore.open(db_path, spec(), clock=clock)
    again.record_kill_switch(reason="r", phase="flat", detail="d", wall_ns=clock())
    await again.close()
    assert again.resume.resumed
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("SELECT COUNT(*) FROM kill_switch_events").fetchone()[0] == 1
