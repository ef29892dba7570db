"""The session database and its folder seen by a user without rights to them: one line, exit 2
for what needs writing; `sessions` and `report` still read what they may read.

The real `l2console` runs as ``nobody`` when the tests run as root (root ignores file modes),
as the current user otherwise, on folders and files with the modes set below
(``tests.restricted``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.console.cli_process import (
    NAME,
    assert_one_line_error,
    files_in,
    l2console,
)
from tests.restricted import as_unprivileged, shared_folder, unprivileged_unavailable

PAPER = ("paper", "--no-ui", "--duration", "30s", "--session", "perm_test")


@pytest.fixture
def unprivileged() -> Callable[[Sequence[str]], list[str]]:
    reason = unprivileged_unavailable()
    if reason:
        pytest.skip(reason)
    return as_unprivileged


@pytest.fixture
def folder() -> Iterator[Path]:
    with shared_folder() as path:
        yield path


def someone_elses(data: Path) -> None:
    """Readable, not writable: the folder and its files (for root's files, ``nobody`` cannot
    write them anyway; for our own, the modes stop us)."""
    for path in data.iterdir():
        path.chmod(0o444)
    data.chmod(0o555)


@pytest.mark.parametrize("left_by_its_owner", [False, True], ids=["file alone", "with -shm"])
def test_sessions_and_report_read_a_database_in_a_folder_they_cannot_write(
    sample_database: Path,
    sample_outputs: dict[str, str],
    folder: Path,
    unprivileged: Callable[[Sequence[str]], list[str]],
    left_by_its_owner: bool,
) -> None:
    data = folder / "data"
    data.mkdir()
    db = data / "l2console.sqlite"
    shutil.copy(sample_database, db)
    if left_by_its_owner:  # its owner's last reader leaves -wal and -shm behind
        assert l2console("sessions", "--db", str(db), cwd=folder).returncode == 0
        assert Path(f"{db}-shm").exists()
    someone_elses(data)
    before = files_in(data)

    sessions = l2console("sessions", "--db", str(db), cwd=folder, wrap=unprivileged)
    report = l2console("report", "--session", NAME, "--db", str(db), cwd=folder, wrap=unprivileged)

    assert (sessions.returncode, sessions.stderr) == (0, ""), sessions
    assert sessions.stdout == sample_outputs["sessions"]
    assert (report.returncode, report.stderr) == (0, ""), report
    assert report.stdout == sample_outputs["report"]
    assert files_in(data) == before


@pytest.mark.parametrize("name", ["l2console.sqlite", "new.sqlite"])
def test_a_session_in_a_folder_you_cannot_write_is_one_line(
    sample_database: Path,
    folder: Path,
    unprivileged: Callable[[Sequence[str]], list[str]],
    name: str,
) -> None:
    data = folder / "data"
    data.mkdir()
    shutil.copy(sample_database, data / "l2console.sqlite")
    someone_elses(data)
    before = files_in(data)

    done = l2console(*PAPER, "--db", str(data / name), cwd=folder, wrap=unprivileged)

    assert_one_line_error(done, f"no permission to write in {data}", "--db")
    assert files_in(data) == before


def test_a_database_you_cannot_read_is_one_line(
    sample_database: Path, folder: Path, unprivileged: Callable[[Sequence[str]], list[str]]
) -> None:
    db = folder / "l2console.sqlite"
    shutil.copy(sample_database, db)
    db.chmod(0o000)
    for command in (("sessions",), ("report", "--session", NAME), PAPER):
        done = l2console(*command, "--db", str(db), cwd=folder, wrap=unprivileged)
        assert_one_line_error(done, f"no permission to read {db}")


def test_a_folder_on_the_way_you_cannot_enter_is_one_line(
    sample_database: Path, folder: Path, unprivileged: Callable[[Sequence[str]], list[str]]
) -> None:
    private = folder / "private"
    (private / "data").mkdir(parents=True)
    db = private / "data" / "l2console.sqlite"
    shutil.copy(sample_database, db)
    private.chmod(0o000)

    for command in (("sessions",), PAPER):
        done = l2console(*command, "--db", str(db), cwd=folder, wrap=unprivileged)
        assert_one_line_error(done, f"cannot reach {db}: no permission to enter a folder")
    flatten = ("flatten", "--session", "perm_test", "--db", str(db))
    assert_one_line_error(
        l2console(*flatten, cwd=folder, wrap=unprivileged), "no permission to reach session"
    )


def test_a_recording_you_cannot_read_is_one_line(
    folder: Path, unprivileged: Callable[[Sequence[str]], list[str]]
) -> None:
    recording = folder / "market.l2rec"
    recording.write_bytes(b"not shown to anyone")
    recording.chmod(0o000)
    for command in (("replay", str(recording)), ("sweep", str(recording), "--grid", "depth=5")):
        done = l2console(*command, cwd=folder, wrap=unprivileged)
        assert_one_line_error(done, f"cannot read {recording}: permission denied")
