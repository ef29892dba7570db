"""Opening the database file safely: recognise it, refuse what is not ours, migrate what is.

Used by the writer (once, before it starts, to create or migrate the file) and by every reader.
A file that is not SQLite, an SQLite file of another program, a damaged file, a file from a
newer version, a file or folder that cannot be read or written here each get their own one-line
error; nothing here ever overwrites such a file.

Never ``open()`` a database file outside SQLite: closing any descriptor of a file releases
every POSIX lock this process holds on it, including those of a live SQLite connection.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.store import access
from core.store.errors import (
    CorruptDatabaseError,
    DatabaseAccessError,
    DatabaseBusyError,
    NewerDatabaseError,
    NotOurDatabaseError,
    StoreError,
)
from core.store.schema import APPLICATION_ID, LATEST_VERSION, MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def open_for_writing(path: Path) -> sqlite3.Connection:
    """Create or migrate the database at ``path`` and return a writer connection to it.

    The connection is in autocommit mode (transactions are explicit ``BEGIN IMMEDIATE``), in WAL
    with ``synchronous=FULL`` (a committed fill survives a power cut, not only a crash) and with
    foreign keys enforced. Meant to run off the event loop (``asyncio.to_thread``).
    """
    if access.existing_size(path) is None:
        access.make_folder(path.parent)
    return _opened(path, str(path), _set_up_for_writing, uri=False)


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro`` and ``query_only``) to an existing l2console file.

    Also reads a file this process cannot write beside: on a read-only mount, in someone
    else's folder, a copy without its ``-wal``/``-shm`` files (see ``_read_only_uri``).
    """
    access.require_file(path)
    try:
        return _opened(path, _read_only_uri(path), _set_up_for_reading, uri=True)
    except DatabaseAccessError as refused:
        problem = access.why_not_readable(path)
        if problem is None and access.can_write_in(path.parent):  # not the case handled below
            problem = f"cannot open {path} ({refused.__cause__})"
        if problem is None and access.wal_holds_records(path):
            problem = access.wal_needs_shm(path)
        if problem is not None:
            raise DatabaseAccessError(problem) from refused
    try:
        return _opened(path, _read_only_uri(path, immutable=True), _set_up_for_reading, uri=True)
    except DatabaseAccessError as refused:
        raise DatabaseAccessError(f"cannot read {path} ({refused.__cause__})") from refused


def _read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """``immutable=1`` once SQLite could not create the ``-shm`` file a WAL database needs and
    there is no write-ahead log to read: then the file alone is the whole database, and no
    writer has it open (a writer keeps the ``-wal`` file while it runs). SQLite then reads it
    without shared memory or locks, as it would read a file on a CD."""
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def _opened(
    path: Path, target: str, set_up: Callable[[sqlite3.Connection, Path], None], *, uri: bool
) -> sqlite3.Connection:
    """Connect to ``target`` (a path, or a ``file:`` URI), run ``set_up`` and hand the
    connection over; close it on any failure."""
    with translated_errors(path):
        connection = _connect(target, uri=uri)
    try:
        _set_up_while_busy(connection, path, set_up)
    except CorruptDatabaseError as error:
        connection.close()
        if _not_a_database(error) and _has_foreign_header(path):
            raise NotOurDatabaseError(
                f"{path} is not an l2console database (not an SQLite file); refusing to touch it"
            ) from error
        raise
    except BaseException:
        connection.close()
        raise
    return connection


def _set_up_while_busy(
    connection: sqlite3.Connection, path: Path, set_up: Callable[[sqlite3.Connection, Path], None]
) -> None:
    """Retry set-up while the file is busy, up to the busy timeout.

    While another process creates the file or switches it to WAL, SQLite reports some lock
    conflicts at once instead of waiting on its busy handler. Every step of set-up is idempotent
    (the migration is one transaction), so trying again is safe.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            with translated_errors(path):
                set_up(connection, path)
            return
        except DatabaseBusyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


def _set_up_for_writing(connection: sqlite3.Connection, path: Path) -> None:
    _recognise(connection, path)
    mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreError(
            f"{path}: SQLite could not use WAL here (journal mode {mode}); "
            "put the database on a local disk"
        )
    connection.execute("PRAGMA synchronous=FULL")
    _migrate(connection, path)
    _quick_check(connection, path)


def _set_up_for_reading(connection: sqlite3.Connection, path: Path) -> None:
    connection.execute("PRAGMA query_only=ON")
    _recognise(connection, path)
    if connection.execute("PRAGMA user_version").fetchone()[0] < LATEST_VERSION:
        raise StoreError(
            f"{path} has an older layout; run any l2console session on it once to upgrade"
        )


@contextmanager
def translated_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's exceptions into one-line store errors naming the file."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        raise _translated(error, path) from error


def _translated(error: sqlite3.DatabaseError, path: Path) -> StoreError:
    message = first_line(str(error))
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseBusyError(f"{path} stayed busy for {BUSY_TIMEOUT_MS // 1000} s ({message})")
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return DatabaseAccessError(access.why_not_writable(path))
    if name == "SQLITE_FULL":
        return StoreError(f"{path}: the disk is full; free some space and start again")
    if name.startswith("SQLITE_IOERR"):
        return StoreError(f"{path}: the disk failed to read or write it ({message})")
    return damaged(path, message)


def damaged(path: Path, problem: str) -> CorruptDatabaseError:
    return CorruptDatabaseError(
        f"{path} is damaged ({problem}): restore it from a backup, or move it aside and "
        "start afresh with another --db"
    )


def first_line(text: str) -> str:
    """SQLite's integrity reports run over several lines; the first real one says enough."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith("*** in database")]
    return (meaningful or lines or [text.strip()])[0]


def rollback(connection: sqlite3.Connection) -> None:
    """Undo the open transaction, if one is open (a failed BEGIN leaves none)."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _connect(target: str, *, uri: bool) -> sqlite3.Connection:
    connection = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def _not_a_database(error: CorruptDatabaseError) -> bool:
    cause = error.__cause__
    return isinstance(cause, sqlite3.DatabaseError) and cause.sqlite_errorname == "SQLITE_NOTADB"


def _has_foreign_header(path: Path) -> bool:
    """Read only once SQLite has refused the file, so no connection of ours holds a lock on it."""
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return bool(header) and header != SQLITE_HEADER


def _recognise(connection: sqlite3.Connection, path: Path) -> None:
    """Accept our own files and brand-new empty ones; refuse everything else."""
    # One statement, so one snapshot: read apart, another process creating the file could
    # commit its tables and its application id in between, and ours would look foreign.
    application_id, version, tables = connection.execute(
        "SELECT (SELECT application_id FROM pragma_application_id),"
        " (SELECT user_version FROM pragma_user_version),"
        " (SELECT count(*) FROM sqlite_schema)"
    ).fetchone()
    if application_id == 0:
        if tables:
            raise NotOurDatabaseError(
                f"{path} is an SQLite database of another program; refusing to touch it"
            )
    elif application_id != APPLICATION_ID:
        raise NotOurDatabaseError(
            f"{path} is an SQLite database of another program "
            f"(application id {application_id:#x}); refusing to touch it"
        )
    if version > LATEST_VERSION:
        raise NewerDatabaseError(
            f"{path} was written by a newer l2console (layout {version}, this one knows "
            f"{LATEST_VERSION}); upgrade l2console"
        )


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    if connection.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        _recognise(connection, path)  # another process may have migrated while we waited
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                connection.execute(statement)
        connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version={LATEST_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        rollback(connection)
        raise


def _quick_check(connection: sqlite3.Connection, path: Path) -> None:
    problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise damaged(path, first_line(problems[0]))
