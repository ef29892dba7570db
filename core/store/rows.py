"""Queries shared by the writer (resume) and the readers, and rows turned back into records."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from core.enums import Mode, OrderType, Side
from core.events import RoundTrip
from core.ledger import Position
from core.money import ZERO
from core.store.codec import decode_progress, from_json, optional_decimal
from core.store.errors import SessionNotFoundError
from core.store.records import BandTotals, RunEnd, RunRecord, SessionInfo, StoredOrder

_SIDES = {side.value: side for side in Side}
SESSION_COLUMNS = "id, name, venue, symbol, mode, parameters, created_ns"
RUN_COLUMNS = "id, session_id, started_ns, ended_ns, last_alive_ns, how_ended, host, pid"
ROUND_TRIP_COLUMNS = (
    "product, side, quantity, entry_price, exit_price, gross_pnl, fees, net_pnl,"
    " opened_ns, closed_ns"
)


def find_session(db: sqlite3.Connection, name: str) -> SessionInfo | None:
    row = db.execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE name = ?", (name,)).fetchone()
    return session_from_row(row) if row else None


def get_session(db: sqlite3.Connection, name: str) -> SessionInfo:
    session = find_session(db, name)
    if session is None:
        raise SessionNotFoundError(f"no session named {name!r} in this database")
    return session


def all_sessions(db: sqlite3.Connection) -> list[SessionInfo]:
    rows = db.execute(f"SELECT {SESSION_COLUMNS} FROM sessions ORDER BY name").fetchall()
    return [session_from_row(row) for row in rows]


def session_from_row(row: tuple) -> SessionInfo:
    id_, name, venue, symbol, mode, parameters, created_ns = row
    return SessionInfo(id_, name, venue, symbol, Mode(mode), from_json(parameters), created_ns)


def runs_of(db: sqlite3.Connection, session_id: int) -> tuple[RunRecord, ...]:
    rows = db.execute(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE session_id = ? ORDER BY started_ns, id",
        (session_id,),
    ).fetchall()
    return tuple(run_from_row(row) for row in rows)


def run_from_row(row: tuple) -> RunRecord:
    id_, session_id, started, ended, alive, how, host, pid = row
    return RunRecord(
        id_, session_id, started, ended, alive, RunEnd(how) if how else None, host, pid
    )


def round_trips_of(db: sqlite3.Connection, session_id: int) -> list[RoundTrip]:
    """Every round trip of the session in the order they closed."""
    rows = db.execute(
        f"SELECT {ROUND_TRIP_COLUMNS} FROM round_trips WHERE session_id = ? ORDER BY closed_ns, id",
        (session_id,),
    ).fetchall()
    return [round_trip_from_row(row) for row in rows]


def round_trip_from_row(row: tuple) -> RoundTrip:
    product, side, qty, entry, exit_, gross, fees, net, opened, closed = row
    return RoundTrip(
        product=product,
        side=_SIDES[side],
        quantity=Decimal(qty),
        entry_price=Decimal(entry),
        exit_price=Decimal(exit_),
        gross_pnl=Decimal(gross),
        fees=Decimal(fees),
        net_pnl=Decimal(net),
        opened_wall_ns=opened,
        closed_wall_ns=closed,
    )


def positions_of(db: sqlite3.Connection, session_id: int) -> dict[str, Position]:
    """The last recorded position of every product the session traded (flat ones included)."""
    rows = db.execute(
        "SELECT product, quantity, entry_price, opened_ns, fees, progress FROM positions"
        " WHERE session_id = ? ORDER BY product",
        (session_id,),
    ).fetchall()
    return {
        product: Position(
            product, Decimal(qty), Decimal(entry), opened, Decimal(fees), decode_progress(progress)
        )
        for product, qty, entry, opened, fees, progress in rows
    }


def ledger_totals_of(db: sqlite3.Connection, session_id: int) -> tuple[Decimal, Decimal]:
    """The ledger's (realized P&L, fees paid) after the last recorded fill."""
    row = db.execute(
        "SELECT realized_pnl, fees_paid FROM ledgers WHERE session_id = ?", (session_id,)
    ).fetchone()
    return (Decimal(row[0]), Decimal(row[1])) if row else (Decimal(0), Decimal(0))


def fill_bands_of(db: sqlite3.Connection, session_id: int) -> tuple[BandTotals, ...]:
    """Each fill band summed over the session's runs, in the order they were first written.

    Bands that filled differently (the settings changed between runs) are kept apart. Sums are
    exact: the amounts are decimal text, added here rather than by SQLite's floats.
    """
    rows = db.execute(
        "SELECT model, execution, trades, net_pnl, open_quantity, short_orders"
        " FROM fill_bands JOIN runs ON runs.id = fill_bands.run_id"
        " WHERE runs.session_id = ? ORDER BY fill_bands.run_id, fill_bands.rowid",
        (session_id,),
    ).fetchall()
    totals: dict[tuple[str, str], BandTotals] = {}
    for model, execution, trades, net_pnl, open_quantity, short_orders in rows:
        band = totals.get((model, execution)) or BandTotals(model, execution, 0, 0, ZERO, 0, 0)
        totals[model, execution] = BandTotals(
            model,
            execution,
            runs=band.runs + 1,
            trades=band.trades + trades,
            net_pnl=band.net_pnl + Decimal(net_pnl),
            open_runs=band.open_runs + (Decimal(open_quantity) != 0),
            short_orders=band.short_orders + short_orders,
        )
    return tuple(totals.values())


ORDER_COLUMNS = (
    "client_order_id, signal_number, product, side, quantity, order_type, limit_price,"
    " reduce_only, status, venue_order_id, reason, sent_ns, updated_ns"
)
UNSETTLED = ("SENT", "UNKNOWN", "OPEN")
"""Order states that are not final: after a crash, only the venue can say what became of them."""


def orders_of(
    db: sqlite3.Connection, session_id: int, *, unsettled_only: bool = False
) -> list[StoredOrder]:
    """The session's orders in the order they were sent; only those without a final state
    when ``unsettled_only``."""
    sql = f"SELECT {ORDER_COLUMNS} FROM orders WHERE session_id = ?"
    params: tuple[object, ...] = (session_id,)
    if unsettled_only:
        sql += f" AND status IN ({', '.join('?' * len(UNSETTLED))})"
        params += UNSETTLED
    return [order_from_row(row) for row in db.execute(sql + " ORDER BY id", params)]


def order_from_row(row: tuple) -> StoredOrder:
    return StoredOrder(
        client_order_id=row[0],
        signal_number=row[1],
        product=row[2],
        side=Side(row[3]),
        quantity=Decimal(row[4]),
        order_type=OrderType(row[5]),
        limit_price=optional_decimal(row[6]),
        reduce_only=bool(row[7]),
        status=row[8],
        venue_order_id=row[9],
        reason=row[10],
        sent_ns=row[11],
        updated_ns=row[12],
    )


def fill_ids_of(
    db: sqlite3.Connection, session_id: int, client_order_ids: list[str]
) -> frozenset[str]:
    """The fill ids already stored for these orders (a restart books only the others)."""
    found: set[str] = set()
    for client_order_id in client_order_ids:
        rows = db.execute(
            "SELECT fill_id FROM fills WHERE session_id = ? AND client_order_id = ?",
            (session_id, client_order_id),
        )
        found.update(row[0] for row in rows)
    return frozenset(found)
