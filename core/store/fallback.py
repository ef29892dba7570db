"""The fallback journal: fills the database could not take, kept beside it until it can.

When the session database fails mid-run (a full disk, an I/O error), the fills booked after
that (the stop's flatten, above all) must not be lost: each goes to a plain append-only file
beside the database, ``<database>.unrecorded-fills.jsonl``, one JSON line per fill, written and
``fsync``ed before the caller goes on. A line holds the session's name and the fill exactly as
the store would have committed it (every money value an exact decimal string): the fill, the
round trip it closed, the position and the ledger totals right after it.

The next start of that session merges its lines into the database, in the order they were
written, before it reads where the session stands (``merge``), then removes them from the
file (the file goes when it is empty). A merge that is interrupted is simply done again: a fill
already stored is skipped with its effects (``booking.FillBatch``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.store.booking import EncodedFill, FillBatch
from core.store.database import rollback

SUFFIX = ".unrecorded-fills.jsonl"

_FILL = [
    "session_id",
    "run_id",
    "fill_id",
    "client_order_id",
    "product",
    "side",
    "price",
    "quantity",
    "fee",
    "slippage_bps",
    "decision_mid",
    "wall_ns",
]
_ROUND_TRIP = [
    "session_id",
    "run_id",
    "closing_fill_id",
    "product",
    "side",
    "quantity",
    "entry_price",
    "exit_price",
    "gross_pnl",
    "fees",
    "net_pnl",
    "opened_ns",
    "closed_ns",
]
_POSITION = [
    "session_id",
    "product",
    "quantity",
    "entry_price",
    "opened_ns",
    "fees",
    "last_fill_id",
    "progress",
]
_LEDGER = ["session_id", "realized_pnl", "fees_paid", "last_fill_id"]


def path_for(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def append(database: Path, session: str, batch: FillBatch) -> Path:
    """Write ``batch`` (one line per fill) durably; returns the file. Raises ``OSError``."""
    path = path_for(database)
    text = "".join(json.dumps(_line(session, entry)) + "\n" for entry in batch.fills)
    with _locked(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT) as fd:
        os.write(fd, text.encode())
        os.fsync(fd)
    return path


def merge(db: sqlite3.Connection, database: Path, session: str) -> int:
    """Store the session's journaled fills, then drop their lines; returns how many were new."""
    path = path_for(database)
    if not path.exists():
        return 0
    with _locked(path, os.O_RDWR) as fd:
        lines = os.pread(fd, os.fstat(fd).st_size, 0).decode().splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        mine = [r for r in records if r.get("session") == session]
        if not mine:
            return 0
        db.execute("BEGIN IMMEDIATE")
        try:
            new = FillBatch(tuple(_entry(r) for r in mine)).apply(db)
            db.execute("COMMIT")
        except BaseException:
            rollback(db)
            raise
        rest = "".join(json.dumps(r) + "\n" for r in records if r.get("session") != session)
        os.ftruncate(fd, 0)
        os.pwrite(fd, rest.encode(), 0)
        os.fsync(fd)
        if not rest:
            path.unlink()
    return new


@contextlib.contextmanager
def _locked(path: Path, flags: int) -> Iterator[int]:
    fd = os.open(path, flags, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # appends of other sessions wait for a merge, and back
        yield fd
    finally:
        os.close(fd)


def _line(session: str, entry: EncodedFill) -> dict[str, Any]:
    return {
        "session": session,
        "fill": dict(zip(_FILL, entry.fill, strict=True)),
        "round_trip": None
        if entry.round_trip is None
        else dict(zip(_ROUND_TRIP, entry.round_trip, strict=True)),
        "position": dict(zip(_POSITION, entry.position, strict=True)),
        "ledger": dict(zip(_LEDGER, entry.ledger, strict=True)),
    }


def _entry(record: dict[str, Any]) -> EncodedFill:
    trip = record["round_trip"]
    return EncodedFill(
        fill=tuple(record["fill"][name] for name in _FILL),
        round_trip=None if trip is None else tuple(trip[name] for name in _ROUND_TRIP),
        position=tuple(record["position"][name] for name in _POSITION),
        ledger=tuple(record["ledger"][name] for name in _LEDGER),
    )
