"""Where the database file lives: can it be reached, read, written; and if not, why, in words.

Everything here looks at the file and its folder with ``stat``, ``statvfs`` and ``access`` only;
it never opens the database file (the ``database`` module says why that matters).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from core.store.errors import DatabaseAccessError, NoDatabaseError, NotOurDatabaseError

ELSEWHERE = "choose a writable place with --db or L2CONSOLE_DB"


def existing_size(path: Path) -> int | None:
    """The file's size, or None when there is no file; a folder, or a path that cannot be
    looked at (no permission on a folder on the way), is a one-line error."""
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno in {errno.EACCES, errno.EPERM}:
            raise DatabaseAccessError(
                f"cannot reach {path}: no permission to enter a folder on the way; "
                "run as the user that owns it"
            ) from None
        raise DatabaseAccessError(f"cannot reach {path} ({_reason(error)})") from None
    if path.is_dir():
        raise NotOurDatabaseError(f"{path} is a directory, not a database file")
    return status.st_size


def require_file(path: Path) -> None:
    """For readers: a file with something in it, or a ``NoDatabaseError``."""
    size = existing_size(path)
    if size is None:
        raise NoDatabaseError(f"no database at {path}")
    if size == 0:
        raise NoDatabaseError(f"{path} is empty: no session has been recorded in it")


def make_folder(folder: Path) -> None:
    """Create the database's folder and any missing parents, or say in one line why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocker = _file_in_the_way(folder)
        why = f"{blocker} is a file, not a folder" if blocker else _reason(error)
        raise DatabaseAccessError(
            f"cannot create the folder {folder} for the database ({why}); {ELSEWHERE}"
        ) from None


def why_not_writable(path: Path) -> str:
    """One line for a database SQLite could not open or write: what stands in the way."""
    folder = path.parent
    if _exists(path) and not os.access(path, os.R_OK):
        return f"no permission to read {path}; run as the user that owns it, or {ELSEWHERE}"
    if _read_only_mount(folder):
        return f"cannot write {path}: {folder} is on a read-only file system; {ELSEWHERE}"
    if not can_write_in(folder):
        return (
            f"cannot write {path}: no permission to write in {folder} (SQLite keeps its "
            f"journal files there); run as the user that owns it, or {ELSEWHERE}"
        )
    if _exists(path) and not os.access(path, os.W_OK):
        return f"cannot write {path}: no permission to write the file; {ELSEWHERE}"
    return f"cannot write or open {path}; {ELSEWHERE}"


def why_not_readable(path: Path) -> str | None:
    """For a reader SQLite refused: None when the file itself can be read (the trouble is the
    folder: SQLite could not create its shared-memory file there)."""
    if os.access(path, os.R_OK):
        return None
    return f"no permission to read {path}; run as the user that owns it, or ask for a copy"


def can_write_in(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (SQLite's ``-wal`` and ``-shm`` go there)."""
    return not _read_only_mount(folder) and os.access(folder, os.W_OK | os.X_OK)


def wal_holds_records(path: Path) -> bool:
    """True when the write-ahead log beside ``path`` has content not yet copied into the file.

    A log that is missing or empty holds nothing. A non-empty one may hold committed records
    (a copy taken while a session ran, or after a crash); only SQLite can read it, and it needs
    a ``-shm`` file beside it to do so.
    """
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def wal_needs_shm(path: Path) -> str:
    return (
        f"{path}-wal holds the latest records of {path.name}, and SQLite cannot create "
        f"{path.name}-shm beside it to read them ({_folder_problem(path.parent)}): copy "
        f"{path.name} and {path.name}-wal to a folder you can write and pass that copy with --db"
    )


def _folder_problem(folder: Path) -> str:
    if _read_only_mount(folder):
        return "read-only file system"
    return f"no permission to write in {folder}"


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _file_in_the_way(folder: Path) -> Path | None:
    for parent in (folder, *folder.parents):
        if _exists(parent) and not parent.is_dir():
            return parent
    return None


def _exists(path: Path) -> bool:
    try:
        path.stat()
    except OSError:
        return False
    return True


def _reason(error: OSError) -> str:
    if error.errno in {errno.EACCES, errno.EPERM}:
        return "permission denied"
    if error.errno == errno.EROFS:
        return "read-only file system"
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]
