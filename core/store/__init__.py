"""Persistence of paper and live sessions in one SQLite file (WAL): the only database code.

``SessionStore`` is the one writer of a run (one per process); ``SessionReader`` reads any
session read-only for reports, the session list and the UI. See ``writer.py`` for the write
path's guarantees and ``schema.py`` for the layout.
"""

from core.ledger import BookedFill
from core.store.errors import (
    CorruptDatabaseError,
    DatabaseAccessError,
    DatabaseBusyError,
    NewerDatabaseError,
    NoDatabaseError,
    NotOurDatabaseError,
    SessionAlreadyRunningError,
    SessionMismatchError,
    SessionNotFoundError,
    StoreClosedError,
    StoreError,
)
from core.store.reader import SessionReader
from core.store.records import (
    BandTotals,
    DayTally,
    EquityPoint,
    GateEvaluation,
    ReportData,
    ResumeState,
    RunEnd,
    RunRecord,
    SessionInfo,
    SessionSpec,
    SessionSummary,
    StoredOrder,
)
from core.store.writer import SessionStore

__all__ = [
    "BandTotals",
    "BookedFill",
    "CorruptDatabaseError",
    "DatabaseAccessError",
    "DatabaseBusyError",
    "DayTally",
    "EquityPoint",
    "GateEvaluation",
    "NewerDatabaseError",
    "NoDatabaseError",
    "NotOurDatabaseError",
    "ReportData",
    "ResumeState",
    "RunEnd",
    "RunRecord",
    "SessionAlreadyRunningError",
    "SessionInfo",
    "SessionMismatchError",
    "SessionNotFoundError",
    "SessionReader",
    "SessionSpec",
    "SessionStore",
    "SessionSummary",
    "StoreClosedError",
    "StoreError",
    "StoredOrder",
]
