"""What the checklists judge, read from one snapshot (``core.checklists`` evidence)."""

from __future__ import annotations

import json
import sqlite3

from core.checklists.evidence import KillSwitchTest, LatencyTotals, RunEvidence, SessionEvidence
from core.enums import Mode, SignalAction
from core.events import SignalOutcome
from core.store.codec import from_json
from core.store.records import SessionInfo
from core.store.rows import runs_of

_ACTIONS = {action.value: action for action in SignalAction}


def session_evidence(db: sqlite3.Connection, session: SessionInfo) -> SessionEvidence:
    sid = session.id
    signals = db.execute(
        "SELECT action, count(*) FROM signals WHERE session_id = ? GROUP BY action", (sid,)
    ).fetchall()
    blocked = db.execute(
        "SELECT block_reason, count(*) FROM signals WHERE session_id = ? AND outcome = ?"
        " GROUP BY block_reason",
        (sid, SignalOutcome.BLOCKED.value),
    ).fetchall()
    orders = db.execute(
        "SELECT status, count(*) FROM orders WHERE session_id = ? GROUP BY status", (sid,)
    ).fetchall()
    (fills,) = db.execute("SELECT count(*) FROM fills WHERE session_id = ?", (sid,)).fetchone()
    return SessionEvidence(
        name=session.name,
        venue=session.venue,
        symbol=session.symbol,
        mode=session.mode,
        runs=_runs(db, session),
        signals={_ACTIONS[action]: count for action, count in signals if action in _ACTIONS},
        blocked=dict(blocked),
        orders=dict(orders),
        fills=fills,
        kill_switch=tuple(kill_switch_tests(db, session.id)),
    )


def _runs(db: sqlite3.Connection, session: SessionInfo) -> tuple[RunEvidence, ...]:
    parameters = dict(
        db.execute("SELECT id, parameters FROM runs WHERE session_id = ?", (session.id,))
    )
    latency: dict[int, dict[str, LatencyTotals]] = {}
    for run_id, name, snapshot in db.execute(
        "SELECT h.run_id, h.name, h.buckets FROM latency_histograms h"
        " JOIN runs r ON r.id = h.run_id WHERE r.session_id = ?",
        (session.id,),
    ):
        counts = json.loads(snapshot)
        latency.setdefault(run_id, {})[name] = LatencyTotals(
            int(counts["count"]), int(counts["sum_ns"])
        )
    return tuple(
        RunEvidence(
            started_ns=run.started_ns,
            covered_until_ns=run.covered_until_ns,
            how_ended=run.how_ended.value if run.how_ended else None,
            latency=latency.get(run.id, {}),
            parameters=from_json(parameters[run.id]),
        )
        for run in runs_of(db, session.id)
    )


def kill_switch_tests(
    db: sqlite3.Connection, session_id: int | None = None
) -> list[KillSwitchTest]:
    """Kill switch results of one session, or of every session when ``session_id`` is None."""
    query = (
        "SELECT s.name, s.venue, s.mode, k.wall_ns, k.reason, k.phase, k.detail"
        " FROM kill_switch_events k JOIN sessions s ON s.id = k.session_id"
    )
    args: tuple[int, ...] = ()
    if session_id is not None:
        query += " WHERE k.session_id = ?"
        args = (session_id,)
    rows = db.execute(query + " ORDER BY k.wall_ns, k.id", args).fetchall()
    return [
        KillSwitchTest(name, venue, Mode(mode), wall_ns, reason, phase, detail)
        for name, venue, mode, wall_ns, reason, phase, detail in rows
    ]
