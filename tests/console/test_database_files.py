"""The session database where it cannot be written, or is damaged: one line, exit 2, and the
commands that only read (`sessions`, `report`) still read what they can.

Real files, real SQLite, the real `l2console` in a subprocess; the read-only file system is a
read-only bind mount seen by that subprocess only (``tests.restricted``).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.console.cli_process import (
    NAME,
    assert_one_line_error,
    files_in,
    l2console,
)
from tests.restricted import on_read_only_mount, read_only_mount_unavailable, shared_folder

PAPER = ("paper", "--no-ui", "--duration", "30s", "--session", "ro_test")


@pytest.fixture
def folder() -> Iterator[Path]:
    with shared_folder() as path:
        yield path


def read_only(folder: Path) -> Callable[[Sequence[str]], list[str]]:
    """A wrapper for ``l2console(wrap=...)``: the command sees ``folder`` read-only."""
    reason = read_only_mount_unavailable()
    if reason:
        pytest.skip(reason)
    return lambda argv: on_read_only_mount(folder, argv)


# --- reading what cannot be written -------------------------------------------------------------


def test_sessions_and_report_read_a_copy_on_a_read_only_mount(
    sample_database: Path, sample_outputs: dict[str, str], folder: Path
) -> None:
    """A WAL database copied without its -wal/-shm files: SQLite cannot create the -shm it
    needs there, and there is no log to read, so the file alone is read as it is."""
    shutil.copy(sample_database, folder / "copy.sqlite")
    before = files_in(folder)
    mounted = read_only(folder)
    db = str(folder / "copy.sqlite")

    sessions = l2console("sessions", "--db", db, cwd=folder, wrap=mounted)
    report = l2console("report", "--session", NAME, "--db", db, cwd=folder, wrap=mounted)

    assert (sessions.returncode, sessions.stderr) == (0, ""), sessions
    assert sessions.stdout == sample_outputs["sessions"]
    assert (report.returncode, report.stderr) == (0, ""), report
    assert report.stdout == sample_outputs["report"]
    assert files_in(folder) == before


def test_a_copy_whose_log_holds_records_is_refused_with_what_to_do(
    sample_database: Path, folder: Path
) -> None:
    """Reading the file without its -wal would show stale numbers: say so and how to fix it."""
    db = folder / "copy.sqlite"
    shutil.copy(sample_database, db)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE sessions SET name = 'renamed_later' WHERE name = ?", (NAME,))
        # Copy the pair while the log holds the change, as a colleague copying during a run
        # would; by another process, since closing a descriptor of the file would drop the
        # locks of our connection.
        taken = folder / "taken"
        taken.mkdir()
        subprocess.run(["cp", str(db), f"{db}-wal", str(taken)], check=True)
    finally:
        writer.close()
    copy = taken / "copy.sqlite"
    assert Path(f"{copy}-wal").stat().st_size > 0

    refused = l2console("sessions", "--db", str(copy), cwd=folder, wrap=read_only(taken))
    line = assert_one_line_error(refused, "copy.sqlite-wal", "read-only file system", "copy")

    writable = l2console("sessions", "--db", str(copy), cwd=folder)  # where -shm can be made
    assert writable.returncode == 0, writable
    assert "renamed_later" in writable.stdout, "the log held a change the file alone lacks"
    assert "Traceback" not in line


def test_missing_databases_are_no_sessions_yet_and_a_report_says_to_run_paper(
    folder: Path,
) -> None:
    db = str(folder / "not" / "there.sqlite")
    sessions = l2console("sessions", "--db", db, cwd=folder)
    assert sessions.returncode == 0, sessions
    assert sessions.stdout.startswith("no sessions yet (no database at ")
    assert_one_line_error(
        l2console("report", "--session", NAME, "--db", db, cwd=folder),
        "no database at",
        "l2console paper",
    )


# --- writing where it cannot ----------------------------------------------------------------------


def test_a_session_in_a_database_on_a_read_only_mount_is_one_line(
    sample_database: Path, folder: Path
) -> None:
    shutil.copy(sample_database, folder / "l2console.sqlite")
    before = files_in(folder)
    db = str(folder / "l2console.sqlite")
    done = l2console(*PAPER, "--db", db, cwd=folder, wrap=read_only(folder))
    assert_one_line_error(done, "read-only file system", "--db")
    assert files_in(folder) == before


@pytest.mark.parametrize("where", ["new.sqlite", "data/more/new.sqlite"])
def test_a_new_database_or_data_folder_on_a_read_only_mount_is_one_line(
    folder: Path, where: str
) -> None:
    command = ("run", "--no-ui", "--duration", "30", "--session", "ro_test")
    done = l2console(*command, "--db", str(folder / where), cwd=folder, wrap=read_only(folder))
    assert_one_line_error(done, "read-only file system")
    assert files_in(folder) == {}


def test_a_data_folder_whose_parent_is_a_file_is_one_line(folder: Path) -> None:
    (folder / "data").write_text("not a folder\n", encoding="utf-8")
    done = l2console(*PAPER, "--db", str(folder / "data" / "l2.sqlite"), cwd=folder)
    assert_one_line_error(done, f"{folder / 'data'} is a file, not a folder")


def test_flatten_and_record_on_a_read_only_mount_are_one_line(folder: Path) -> None:
    mounted = read_only(folder)
    flatten = l2console(
        "flatten",
        "--session",
        "ro_test",
        "--db",
        str(folder / "x.sqlite"),
        cwd=folder,
        wrap=mounted,
    )
    assert_one_line_error(flatten, "'ro_test' is not running")
    record = l2console(
        "record", "--out", str(folder / "x.l2rec"), "--duration", "5s", cwd=folder, wrap=mounted
    )
    assert_one_line_error(record, "cannot record", "Read-only file system")
    assert files_in(folder) == {}


# --- damaged files ----------------------------------------------------------------------------------


def garbage_pages(data: bytes) -> bytes:
    """Three table pages overwritten, the schema intact: SQLite's integrity check then reports
    one problem per page, over several lines (`*** in database main ***`, `Page 6: ...`)."""
    page = 4096
    return data[: 5 * page] + b"\xff" * 3 * page + data[8 * page :]


DAMAGE = {
    "garbage bytes": (lambda data: bytes(range(256)) * 40, "not an l2console database"),
    "a text file": (lambda data: b"remember to buy milk\n", "not an l2console database"),
    "truncated": (lambda data: data[: len(data) // 2], "restore it from a backup"),
    "header only": (lambda data: data[:100], "restore it from a backup"),
    "garbage pages": (garbage_pages, "restore it from a backup"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_database_is_one_line_that_says_what_to_do(
    sample_database: Path, folder: Path, damage: str
) -> None:
    spoil, advice = DAMAGE[damage]
    db = folder / "l2console.sqlite"
    db.write_bytes(spoil(sample_database.read_bytes()))
    before = db.read_bytes()

    if damage == "garbage pages":  # only the writer's integrity check reads every page
        done = l2console(*PAPER, "--db", str(db), cwd=folder)
    else:
        done = l2console("report", "--session", NAME, "--db", str(db), cwd=folder)
    assert_one_line_error(done, str(db), advice)
    assert db.read_bytes() == before


def test_a_session_on_a_file_of_another_kind_is_one_line_and_leaves_it_alone(
    folder: Path,
) -> None:
    db = folder / "notes.txt"
    db.write_bytes(b"remember to buy milk\n")
    done = l2console(*PAPER, "--db", str(db), cwd=folder)
    assert_one_line_error(done, "not an l2console database", "refusing to touch it")
    assert db.read_bytes() == b"remember to buy milk\n"
