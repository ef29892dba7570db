"""Starting a run of a session: create it or resume it, in one transaction.

Resuming checks the session is the same market (venue, symbol, mode), marks earlier runs that
never recorded an end as crashed (their coverage stops at their last heartbeat), refuses when
another live process is still writing the session, and gathers what the engine continues from.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from core.enums import SignalAction
from core.events import SignalOutcome
from core.gate_clock import NS_PER_DAY, NS_PER_SECOND
from core.store.codec import settings_json
from core.store.database import rollback
from core.store.errors import SessionAlreadyRunningError, SessionMismatchError
from core.store.records import (
    DayTally,
    ResumeState,
    RunEnd,
    RunRecord,
    SessionInfo,
    SessionSpec,
)
from core.store.rows import (
    fill_ids_of,
    find_session,
    ledger_totals_of,
    orders_of,
    positions_of,
    runs_of,
)

_EPOCH = dt.date(1970, 1, 1)
_ENTRIES = (SignalAction.BUY.value, SignalAction.SELL.value)


@dataclass(frozen=True, slots=True)
class Starter:
    """Who starts a run, and when. A run without an end whose heartbeat is younger than
    ``lease_ns`` may still be alive."""

    now_ns: int
    host: str
    pid: int
    lease_ns: int


def start_run(db: sqlite3.Connection, spec: SessionSpec, starter: Starter) -> ResumeState:
    """Create or resume ``spec.name`` and record a new run of it, all or nothing."""
    parameters = settings_json(spec.parameters)
    db.execute("BEGIN IMMEDIATE")
    try:
        state = _start_run(db, spec, parameters, starter)
        db.execute("COMMIT")
    except BaseException:
        rollback(db)
        raise
    return state


def _start_run(
    db: sqlite3.Connection, spec: SessionSpec, parameters: str, starter: Starter
) -> ResumeState:
    now_ns = starter.now_ns
    session = find_session(db, spec.name)
    resumed = session is not None
    if session is None:
        db.execute(
            "INSERT INTO sessions (name, venue, symbol, mode, parameters, created_ns)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (spec.name, spec.venue, spec.symbol, spec.mode.value, parameters, now_ns),
        )
        session = find_session(db, spec.name)
        assert session is not None  # just inserted, inside this transaction
    else:
        _check_same_market(session, spec)
    crashed = _close_abandoned_runs(db, session, starter)
    run_id = db.execute(
        "INSERT INTO runs (session_id, started_ns, last_alive_ns, parameters, host, pid)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (session.id, now_ns, now_ns, parameters, starter.host, starter.pid),
    ).lastrowid
    assert run_id is not None
    realized, fees = ledger_totals_of(db, session.id)
    unsettled = tuple(orders_of(db, session.id, unsettled_only=True))
    return ResumeState(
        session=session,
        run_id=run_id,
        resumed=resumed,
        positions=positions_of(db, session.id),
        realized_pnl=realized,
        fees_paid=fees,
        next_signal_number=_next_signal_number(db, session.id),
        today=_day_tally(db, session.id, now_ns),
        runs=runs_of(db, session.id),
        crashed_run_ids=crashed,
        round_trips=_round_trip_count(db, session.id),
        unsettled_orders=unsettled,
        unsettled_fill_ids=fill_ids_of(db, session.id, [o.client_order_id for o in unsettled]),
    )


def _check_same_market(session: SessionInfo, spec: SessionSpec) -> None:
    recorded = (session.venue, session.symbol, session.mode)
    if recorded == (spec.venue, spec.symbol, spec.mode):
        return
    raise SessionMismatchError(
        f"session {session.name!r} was recorded on {session.venue} {session.symbol} "
        f"({session.mode.value}); it cannot continue on {spec.venue} {spec.symbol} "
        f"({spec.mode.value}): choose another --session name"
    )


def _close_abandoned_runs(
    db: sqlite3.Connection, session: SessionInfo, starter: Starter
) -> tuple[int, ...]:
    open_runs = [run for run in runs_of(db, session.id) if run.how_ended is None]
    for run in open_runs:
        if _still_running(run, starter):
            seconds = max(0, (starter.now_ns - run.last_alive_ns) // NS_PER_SECOND)
            raise SessionAlreadyRunningError(
                f"session {session.name!r} is already running (pid {run.pid} on {run.host}, "
                f"alive {seconds} s ago): stop it first, or choose another --session name"
            )
    for run in open_runs:
        db.execute("UPDATE runs SET how_ended = ? WHERE id = ?", (RunEnd.CRASHED.value, run.id))
    return tuple(run.id for run in open_runs)


def _still_running(run: RunRecord, starter: Starter) -> bool:
    """A run without an end is alive if its heartbeat is fresh and its process still exists.

    On this host a dead pid settles it at once (a restart right after ``kill -9`` resumes);
    across hosts only the heartbeat can tell.
    """
    if starter.now_ns - run.last_alive_ns > starter.lease_ns:
        return False
    if run.host != starter.host:
        return True
    return run.pid != starter.pid and _process_exists(run.pid)


def _process_exists(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _round_trip_count(db: sqlite3.Connection, session_id: int) -> int:
    row = db.execute("SELECT count(*) FROM round_trips WHERE session_id = ?", (session_id,))
    return int(row.fetchone()[0])


def _next_signal_number(db: sqlite3.Connection, session_id: int) -> int:
    row = db.execute("SELECT max(number) FROM signals WHERE session_id = ?", (session_id,))
    highest = row.fetchone()[0]
    return (highest or 0) + 1


def _day_tally(db: sqlite3.Connection, session_id: int, now_ns: int) -> DayTally:
    day_index = now_ns // NS_PER_DAY
    start, end = day_index * NS_PER_DAY, (day_index + 1) * NS_PER_DAY
    trades = db.execute(
        "SELECT count(*) FROM signals WHERE session_id = ? AND wall_ns >= ? AND wall_ns < ?"
        " AND outcome = ? AND action IN (?, ?)",
        (session_id, start, end, SignalOutcome.ACTED.value, *_ENTRIES),
    ).fetchone()[0]
    nets = db.execute(
        "SELECT net_pnl FROM round_trips WHERE session_id = ? AND closed_ns >= ? AND closed_ns < ?",
        (session_id, start, end),
    ).fetchall()
    realized = sum((Decimal(net) for (net,) in nets), Decimal(0))
    return DayTally(_EPOCH + dt.timedelta(days=day_index), trades, realized)
