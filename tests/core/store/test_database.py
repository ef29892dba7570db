"""Opening files: ours are created and migrated; anything else is refused and left untouched."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from core.store import (
    CorruptDatabaseError,
    NewerDatabaseError,
    NotOurDatabaseError,
    SessionReader,
    SessionStore,
    StoreError,
)
from core.store.schema import APPLICATION_ID, LATEST_VERSION
from tests.core.store.builders import FakeClock, PaperLedger, spec


def make_session_file(path: Path, clock: FakeClock, trades: int = 40) -> None:
    async def write() -> None:
        store = await SessionStore.open(path, spec(), clock=clock)
        ledger = PaperLedger()
        for i in range(trades):
            await store.record_fills([ledger.open("100", "1", clock() + i)])
            await store.record_fills([ledger.close("101", clock() + i)])
        await store.close()

    asyncio.run(write())


def open_and_close(path: Path, clock: FakeClock) -> None:
    async def run() -> None:
        store = await SessionStore.open(path, spec(), clock=clock)
        await store.close()

    asyncio.run(run())


async def test_a_fresh_file_is_created_with_our_marker_layout_and_wal(
    db_path: Path, clock: FakeClock
) -> None:
    store = await SessionStore.open(db_path, spec(), clock=clock)
    await store.close()

    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    assert {
        "sessions",
        "runs",
        "signals",
        "orders",
        "fills",
        "round_trips",
        "positions",
        "ledgers",
        "equity_points",
        "gate_evaluations",
        "latency_histograms",
    } <= tables
    db.close()


def test_opening_again_keeps_everything_and_migrates_nothing_twice(
    db_path: Path, clock: FakeClock
) -> None:
    make_session_file(db_path, clock, trades=3)
    open_and_close(db_path, clock)
    with SessionReader(db_path) as reader:
        assert len(reader.round_trips("60days_kraken")) == 3
        assert len(reader.runs("60days_kraken")) == 2


def test_an_empty_existing_file_is_taken_as_a_new_database(db_path: Path, clock: FakeClock) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    open_and_close(db_path, clock)
    with SessionReader(db_path) as reader:
        assert [s.name for s in reader.sessions()] == ["60days_kraken"]


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "photos.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE albums (id INTEGER PRIMARY KEY, title TEXT)")
    db.execute("INSERT INTO albums (title) VALUES ('holidays')")
    db.commit()
    db.close()
    before = path.read_bytes()

    with pytest.raises(NotOurDatabaseError) as refused:
        open_and_close(path, clock)
    with pytest.raises(NotOurDatabaseError):
        SessionReader(path)

    assert "another program" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert path.read_bytes() == before


def test_an_sqlite_file_marked_by_another_application_is_refused(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id=1234")
    db.close()
    before = path.read_bytes()
    with pytest.raises(NotOurDatabaseError, match="application id 0x4d2"):
        open_and_close(path, clock)
    assert path.read_bytes() == before


def test_a_text_file_is_refused_and_left_untouched(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "notes.db"
    path.write_text("remember to buy milk\n", encoding="utf-8")
    with pytest.raises(NotOurDatabaseError, match="not an SQLite file"):
        open_and_close(path, clock)
    with pytest.raises(NotOurDatabaseError):
        SessionReader(path)
    assert path.read_text(encoding="utf-8") == "remember to buy milk\n"


def test_a_truncated_database_is_reported_as_damaged(db_path: Path, clock: FakeClock) -> None:
    make_session_file(db_path, clock, trades=200)
    data = db_path.read_bytes()
    assert len(data) > 8 * 4096
    db_path.write_bytes(data[: len(data) // 2])

    with pytest.raises(CorruptDatabaseError) as damaged:
        open_and_close(db_path, clock)
    assert "damaged" in str(damaged.value)
    assert "\n" not in str(damaged.value)
    assert db_path.read_bytes() == data[: len(data) // 2]


def test_a_database_with_garbage_pages_is_reported_as_damaged(
    db_path: Path, clock: FakeClock
) -> None:
    make_session_file(db_path, clock, trades=200)
    data = bytearray(db_path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):
        data[offset : offset + 64] = b"\xa5" * 64
    db_path.write_bytes(bytes(data))

    with pytest.raises(CorruptDatabaseError):
        open_and_close(db_path, clock)


def test_a_file_from_a_newer_version_is_refused(db_path: Path, clock: FakeClock) -> None:
    make_session_file(db_path, clock, trades=1)
    db = sqlite3.connect(db_path)
    db.execute(f"PRAGMA user_version={LATEST_VERSION + 1}")
    db.close()
    with pytest.raises(NewerDatabaseError, match="newer l2console"):
        open_and_close(db_path, clock)
    with pytest.raises(NewerDatabaseError):
        SessionReader(db_path)


def test_a_reader_never_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(StoreError, match="no database at"):
        SessionReader(path)
    assert not path.exists()


def test_a_directory_is_not_a_database(tmp_path: Path, clock: FakeClock) -> None:
    with pytest.raises(NotOurDatabaseError, match="directory"):
        open_and_close(tmp_path, clock)


def test_an_integrity_report_over_several_lines_is_one_line(
    db_path: Path, clock: FakeClock
) -> None:
    """Table pages overwritten, the schema intact: SQLite's quick_check answers over several
    lines (`*** in database main ***`, `Page 6: ...`, ...); the user gets one."""
    make_session_file(db_path, clock, trades=200)
    data, page = db_path.read_bytes(), 4096
    db_path.write_bytes(data[: 5 * page] + b"\xff" * 3 * page + data[8 * page :])

    with pytest.raises(CorruptDatabaseError) as damaged:
        open_and_close(db_path, clock)
    message = str(damaged.value)
    assert "\n" not in message
    assert "(Page " in message and "restore it from a backup" in message
