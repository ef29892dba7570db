"""Reading sessions back: for reports, the session list, the UI and tests.

A ``SessionReader`` has its own read-only connection and never blocks the writers (WAL). Each
public method reads inside one transaction, so what it returns is one consistent snapshot even
while a session is being written. The calls are blocking; from the event loop, run them with
``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from core.checklists.evidence import KillSwitchTest, SessionEvidence
from core.enums import Side, SignalAction
from core.events import Fill, RoundTrip, Signal, SignalOutcome
from core.ledger import Position
from core.store.codec import from_json, optional_decimal
from core.store.database import open_for_reading, translated_errors
from core.store.evidence import kill_switch_tests, session_evidence
from core.store.records import (
    EquityPoint,
    GateEvaluation,
    ReportData,
    RunRecord,
    SessionInfo,
    SessionSummary,
    StoredOrder,
)
from core.store.rows import (
    all_sessions,
    fill_bands_of,
    get_session,
    ledger_totals_of,
    orders_of,
    positions_of,
    round_trips_of,
    runs_of,
)

MAX_PRICE_DECIMALS = 8


def _price_decimals(prices: Iterable[str]) -> int | None:
    """The instrument's price precision as its fills show it (venue prices are on its tick)."""
    places = [max(0, -Decimal(price).normalize().as_tuple().exponent) for price in prices]
    return min(max(places), MAX_PRICE_DECIMALS) if places else None


class SessionReader:
    """Read-only access to every session in one database file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db = open_for_reading(self.path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SessionReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        with translated_errors(self.path):
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    # -- sessions --------------------------------------------------------------------------------

    def sessions(self) -> list[SessionInfo]:
        with self._snapshot() as db:
            return all_sessions(db)

    def session(self, name: str) -> SessionInfo:
        """Raises ``SessionNotFoundError`` (one line) when there is none of that name."""
        with self._snapshot() as db:
            return get_session(db, name)

    def summaries(self) -> list[SessionSummary]:
        """Every session with its runs, trade count and net P&L, by name."""
        with self._snapshot() as db:
            summaries = []
            for session in all_sessions(db):
                nets = db.execute(
                    "SELECT net_pnl FROM round_trips WHERE session_id = ?", (session.id,)
                ).fetchall()
                net = sum((Decimal(value) for (value,) in nets), Decimal(0))
                summaries.append(SessionSummary(session, runs_of(db, session.id), len(nets), net))
            return summaries

    def report_data(self, name: str) -> ReportData:
        with self._snapshot() as db:
            session = get_session(db, name)
            fills = db.execute(
                "SELECT slippage_bps, price FROM fills WHERE session_id = ?",  # only averaged
                (session.id,),
            ).fetchall()
            outcomes = dict.fromkeys((outcome.value for outcome in SignalOutcome), 0)
            outcomes.update(
                db.execute(
                    "SELECT outcome, count(*) FROM signals WHERE session_id = ? GROUP BY outcome",
                    (session.id,),
                ).fetchall()
            )
            realized, fees = ledger_totals_of(db, session.id)
            return ReportData(
                session=session,
                runs=runs_of(db, session.id),
                round_trips=tuple(round_trips_of(db, session.id)),
                slippages_bps=tuple(Decimal(slippage) for slippage, _ in fills),
                signal_outcomes=outcomes,
                positions=positions_of(db, session.id),
                realized_pnl=realized,
                fees_paid=fees,
                fill_bands=fill_bands_of(db, session.id),
                price_decimals=_price_decimals(price for _, price in fills),
            )

    # -- checklist evidence (core.checklists) -------------------------------------------------

    def evidence(self, name: str) -> SessionEvidence:
        """What the checklists judge of one session."""
        with self._snapshot() as db:
            return session_evidence(db, get_session(db, name))

    def every_evidence(self) -> list[SessionEvidence]:
        """Every session's evidence, by name, from one snapshot."""
        with self._snapshot() as db:
            return [session_evidence(db, session) for session in all_sessions(db)]

    def kill_switch_tests(self) -> list[KillSwitchTest]:
        """Every session's kill switch results, oldest first."""
        with self._snapshot() as db:
            return kill_switch_tests(db)

    # -- one kind of record ------------------------------------------------------------------

    def runs(self, name: str) -> tuple[RunRecord, ...]:
        with self._snapshot() as db:
            return runs_of(db, get_session(db, name).id)

    def round_trips(self, name: str) -> list[RoundTrip]:
        with self._snapshot() as db:
            return round_trips_of(db, get_session(db, name).id)

    def fills(self, name: str) -> list[Fill]:
        with self._snapshot() as db:
            rows = db.execute(
                "SELECT product, side, price, quantity, fee, wall_ns, client_order_id, fill_id,"
                " slippage_bps FROM fills WHERE session_id = ? ORDER BY id",
                (get_session(db, name).id,),
            ).fetchall()
        return [
            Fill(
                product=product,
                side=Side(side),
                price=Decimal(price),
                quantity=Decimal(qty),
                fee=Decimal(fee),
                wall_ns=wall_ns,
                client_order_id=order_id,
                fill_id=fill_id,
                slippage_bps=Decimal(slippage),
            )
            for product, side, price, qty, fee, wall_ns, order_id, fill_id, slippage in rows
        ]

    def signals(self, name: str) -> list[Signal]:
        with self._snapshot() as db:
            rows = db.execute(
                "SELECT number, product, action, price, quantity, ratio, reason, wall_ns, outcome,"
                " block_reason FROM signals WHERE session_id = ? ORDER BY number",
                (get_session(db, name).id,),
            ).fetchall()
        return [
            Signal(
                number=row[0],
                product=row[1],
                action=SignalAction(row[2]),
                price=Decimal(row[3]),
                quantity=Decimal(row[4]),
                ratio=row[5],
                reason=row[6],
                wall_ns=row[7],
                outcome=SignalOutcome(row[8]),
                block_reason=row[9],
            )
            for row in rows
        ]

    def orders(self, name: str) -> list[StoredOrder]:
        with self._snapshot() as db:
            return orders_of(db, get_session(db, name).id)

    def positions(self, name: str) -> dict[str, Position]:
        with self._snapshot() as db:
            return positions_of(db, get_session(db, name).id)

    def equity_points(self, name: str) -> list[EquityPoint]:
        with self._snapshot() as db:
            rows = db.execute(
                "SELECT wall_ns, equity, realized_pnl, unrealized_pnl, position, mark_price"
                " FROM equity_points WHERE session_id = ? ORDER BY wall_ns, id",
                (get_session(db, name).id,),
            ).fetchall()
        return [
            EquityPoint(
                wall_ns,
                Decimal(equity),
                Decimal(realized),
                Decimal(unrealized),
                Decimal(position),
                optional_decimal(mark),
            )
            for wall_ns, equity, realized, unrealized, position, mark in rows
        ]

    def gate_evaluations(self, name: str) -> list[GateEvaluation]:
        with self._snapshot() as db:
            rows = db.execute(
                "SELECT wall_ns, gate, ready, details FROM gate_evaluations"
                " WHERE session_id = ? ORDER BY wall_ns, id",
                (get_session(db, name).id,),
            ).fetchall()
        return [
            GateEvaluation(wall_ns, gate, bool(ready), from_json(details))
            for wall_ns, gate, ready, details in rows
        ]

    def latency_histograms(self, run_id: int) -> dict[str, dict[str, object]]:
        """``name -> {count, sum_ns, min_ns, max_ns, buckets: [[upper_bound_ns, count], ...]}``."""
        with self._snapshot() as db:
            rows = db.execute(
                "SELECT name, buckets FROM latency_histograms WHERE run_id = ? ORDER BY name",
                (run_id,),
            ).fetchall()
        return {name: json.loads(buckets) for name, buckets in rows}
