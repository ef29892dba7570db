"""Opening the database file safely: recognise it, refuse what is not ours, migrate what is.

Used by the writer (once, before it starts, to create or migrate the file) and by every reader.
A file that is not SQLite, an SQLite file of another program, a damaged file or a file from a
newer version each get their own one-line error; nothing here ever overwrites such a file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.store.errors import (
    CorruptDatabaseError,
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
    _check_file(path, must_exist=False)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = _connect(str(path), uri=False)
    try:
        with translated_errors(path):
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
    except BaseException:
        connection.close()
        raise
    return connection


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro`` and ``query_only``) to an existing l2console file."""
    _check_file(path, must_exist=True)
    connection = _connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        with translated_errors(path):
            connection.execute("PRAGMA query_only=ON")
            _recognise(connection, path)
            if connection.execute("PRAGMA user_version").fetchone()[0] < LATEST_VERSION:
                raise StoreError(
                    f"{path} has an older layout; run any l2console session on it once to upgrade"
                )
    except BaseException:
        connection.close()
        raise
    return connection


@contextmanager
def translated_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's exceptions into one-line store errors naming the file."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        raise _translated(error, path) from error


def _translated(error: sqlite3.DatabaseError, path: Path) -> StoreError:
    message = str(error)
    if isinstance(error, sqlite3.OperationalError):
        if "locked" in message or "busy" in message:
            return DatabaseBusyError(
                f"{path} stayed busy for {BUSY_TIMEOUT_MS // 1000} s ({message})"
            )
        if any(
            cause in message
            for cause in ("unable to open", "readonly", "disk I/O error", "disk is full")
        ):
            return StoreError(f"{path} cannot be written or opened ({message})")
    return CorruptDatabaseError(
        f"{path} is damaged ({message}); restore it from a backup or use another --db"
    )


def rollback(connection: sqlite3.Connection) -> None:
    """Undo the open transaction, if one is open (a failed BEGIN leaves none)."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _connect(target: str, *, uri: bool) -> sqlite3.Connection:
    connection = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def _check_file(path: Path, *, must_exist: bool) -> None:
    if path.is_dir():
        raise NotOurDatabaseError(f"{path} is a directory, not a database file")
    if not path.exists():
        if must_exist:
            raise StoreError(f"no database at {path}")
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(f"{path} cannot be read ({error.strerror})") from error
    if header and header != SQLITE_HEADER:
        raise NotOurDatabaseError(
            f"{path} is not an l2console database (not an SQLite file); refusing to touch it"
        )
    if must_exist and not header:
        raise StoreError(f"{path} is empty: no session has been recorded in it")


def _recognise(connection: sqlite3.Connection, path: Path) -> None:
    """Accept our own files and brand-new empty ones; refuse everything else."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    if application_id == 0:
        if connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]:
            raise NotOurDatabaseError(
                f"{path} is an SQLite database of another program; refusing to touch it"
            )
    elif application_id != APPLICATION_ID:
        raise NotOurDatabaseError(
            f"{path} is an SQLite database of another program "
            f"(application id {application_id:#x}); refusing to touch it"
        )
    version = connection.execute("PRAGMA user_version").fetchone()[0]
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
        raise CorruptDatabaseError(
            f"{path} is damaged ({problems[0]}); restore it from a backup or use another --db"
        )
