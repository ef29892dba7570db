"""The writer's statements, in two steps: *encode* on the caller's side, *apply* in the writer.

Encoding turns records into SQL parameters (``Decimal`` to exact text), so a bad value (a NaN
price, a setting that cannot be stored) is refused to the caller at once and never reaches, or
stops, the writer. Applying runs inside the writer's current transaction.

Every insert is keyed so that writing the same record twice stores it once: signals by
(session, number), orders by client order id, fills by (session, fill id), round trips by the
fill that closed them. A fill that was already stored brings nothing else with it: its position,
ledger totals and round trip were committed with it the first time.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from core.events import RoundTrip, Signal
from core.ports import OrderRequest, OrderResult
from core.store.codec import details_json, money, optional_money
from core.store.records import BookedFill, EquityPoint, GateEvaluation, LatencyCounts, RunEnd

ORDER_SENT = "SENT"  # the order left for the venue; no answer recorded yet

Params = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class RunKeys:
    session_id: int
    run_id: int


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement with its parameters, already encoded."""

    sql: str
    params: Params

    def apply(self, db: sqlite3.Connection) -> None:
        db.execute(self.sql, self.params)


@dataclass(frozen=True, slots=True)
class EncodedFill:
    fill: Params
    round_trip: Params | None
    position: Params
    ledger: Params


@dataclass(frozen=True, slots=True)
class FillBatch:
    """Fills with their round trips and resulting position, applied in order."""

    fills: tuple[EncodedFill, ...]

    def apply(self, db: sqlite3.Connection) -> int:
        """Returns how many fills were new (a fill already stored is skipped with its effects).

        A fill id already stored for a *different* fill is refused (``IntegrityError``): that is
        an id reused by mistake, and skipping it would silently lose a trade.
        """
        new = 0
        for entry in self.fills:
            if db.execute(_INSERT_FILL, entry.fill).rowcount != 1:
                _check_same_fill(db, entry.fill)
                continue
            new += 1
            if entry.round_trip is not None:
                db.execute(_INSERT_ROUND_TRIP, entry.round_trip)
            db.execute(_UPSERT_POSITION, entry.position)
            db.execute(_UPSERT_LEDGER, entry.ledger)
        return new


_STORED_FILL = (
    "SELECT client_order_id, product, side, price, quantity, fee, wall_ns FROM fills"
    " WHERE session_id = ? AND fill_id = ?"
)


def _check_same_fill(db: sqlite3.Connection, fill: Params) -> None:
    session_id, _run, fill_id, order_id, product, side, price, quantity, fee = fill[:9]
    stored = db.execute(_STORED_FILL, (session_id, fill_id)).fetchone()
    wall_ns = fill[11]
    if stored is None:
        return
    same = stored[:3] == (order_id, product, side) and stored[6] == wall_ns
    numbers = zip(stored[3:6], (price, quantity, fee), strict=True)
    if not same or any(Decimal(a) != Decimal(str(b)) for a, b in numbers):
        raise sqlite3.IntegrityError(f"fill id {fill_id!r} is already stored for another fill")


# -- signals -----------------------------------------------------------------------------------

_INSERT_SIGNAL = (
    "INSERT OR IGNORE INTO signals (session_id, run_id, number, product, action, price,"
    " quantity, ratio, reason, outcome, block_reason, wall_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class SignalInsert:
    """A signal, once per number: the same signal again is a no-op, a different one with a
    number already used is refused (``IntegrityError``: logged and counted, never silent)."""

    params: Params

    def apply(self, db: sqlite3.Connection) -> None:
        if db.execute(_INSERT_SIGNAL, self.params).rowcount == 1:
            return
        session_id, _run, number, *_ = self.params
        stored = db.execute(
            "SELECT action, reason, wall_ns FROM signals WHERE session_id = ? AND number = ?",
            (session_id, number),
        ).fetchone()
        if stored is not None and stored != (self.params[4], self.params[8], self.params[11]):
            raise sqlite3.IntegrityError(f"signal #{number} is already stored for another signal")


def signal(keys: RunKeys, record: Signal) -> SignalInsert:
    return SignalInsert(
        (
            keys.session_id,
            keys.run_id,
            record.number,
            record.product,
            record.action.value,
            money(record.price),
            money(record.quantity),
            float(record.ratio),
            record.reason,
            record.outcome.value,
            record.block_reason,
            record.wall_ns,
        ),
    )


# -- orders ------------------------------------------------------------------------------------

_UPSERT_ORDER = (
    "INSERT INTO orders (session_id, run_id, client_order_id, signal_number, product, side,"
    " quantity, order_type, limit_price, reduce_only, status, venue_order_id, reason,"
    " sent_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (client_order_id) DO UPDATE SET status = excluded.status,"
    " venue_order_id = CASE WHEN excluded.venue_order_id != '' THEN excluded.venue_order_id"
    " ELSE orders.venue_order_id END,"
    " reason = CASE WHEN excluded.reason != '' THEN excluded.reason ELSE orders.reason END,"
    " updated_ns = excluded.updated_ns"
    f" WHERE excluded.status != '{ORDER_SENT}'"
)


def order(
    keys: RunKeys,
    request: OrderRequest,
    result: OrderResult | None,
    signal_number: int | None,
    wall_ns: int,
) -> Statement:
    """First call inserts the order (status SENT without a result); later ones update it."""
    return Statement(
        _UPSERT_ORDER,
        (
            keys.session_id,
            keys.run_id,
            request.client_order_id,
            signal_number,
            request.product,
            request.side.value,
            money(request.quantity),
            request.order_type.value,
            optional_money(request.limit_price),
            int(request.reduce_only),
            result.status.value if result else ORDER_SENT,
            result.venue_order_id if result else "",
            result.reason if result else "",
            wall_ns,
            wall_ns,
        ),
    )


# -- fills, round trips, position --------------------------------------------------------------

_INSERT_FILL = (
    "INSERT OR IGNORE INTO fills (session_id, run_id, fill_id, client_order_id, product,"
    " side, price, quantity, fee, slippage_bps, decision_mid, wall_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_ROUND_TRIP = (
    "INSERT OR IGNORE INTO round_trips (session_id, run_id, closing_fill_id, product, side,"
    " quantity, entry_price, exit_price, gross_pnl, fees, net_pnl, opened_ns, closed_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_POSITION = (
    "INSERT INTO positions (session_id, product, quantity, entry_price, opened_ns, fees,"
    " last_fill_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (session_id, product) DO UPDATE SET quantity = excluded.quantity,"
    " entry_price = excluded.entry_price, opened_ns = excluded.opened_ns,"
    " fees = excluded.fees, last_fill_id = excluded.last_fill_id"
)
_UPSERT_LEDGER = (
    "INSERT INTO ledgers (session_id, realized_pnl, fees_paid, last_fill_id)"
    " VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
    " realized_pnl = excluded.realized_pnl, fees_paid = excluded.fees_paid,"
    " last_fill_id = excluded.last_fill_id"
)


def fills(keys: RunKeys, booked: tuple[BookedFill, ...]) -> FillBatch:
    return FillBatch(tuple(_encode_fill(keys, entry) for entry in booked))


def _encode_fill(keys: RunKeys, entry: BookedFill) -> EncodedFill:
    fill, position = entry.fill, entry.position
    if not fill.fill_id:
        raise ValueError(f"fill of order {fill.client_order_id} has no fill id")
    return EncodedFill(
        fill=(
            keys.session_id,
            keys.run_id,
            fill.fill_id,
            fill.client_order_id,
            fill.product,
            fill.side.value,
            money(fill.price),
            money(fill.quantity),
            money(fill.fee),
            money(fill.slippage_bps),
            optional_money(entry.decision_mid),
            fill.wall_ns,
        ),
        round_trip=_encode_round_trip(keys, fill.fill_id, entry.round_trip)
        if entry.round_trip is not None
        else None,
        position=(
            keys.session_id,
            position.product,
            money(position.quantity),
            money(position.entry_price),
            position.opened_wall_ns,
            money(position.fees),
            fill.fill_id,
        ),
        ledger=(keys.session_id, money(entry.realized_pnl), money(entry.fees_paid), fill.fill_id),
    )


def _encode_round_trip(keys: RunKeys, closing_fill_id: str, trip: RoundTrip) -> Params:
    return (
        keys.session_id,
        keys.run_id,
        closing_fill_id,
        trip.product,
        trip.side.value,
        money(trip.quantity),
        money(trip.entry_price),
        money(trip.exit_price),
        money(trip.gross_pnl),
        money(trip.fees),
        money(trip.net_pnl),
        trip.opened_wall_ns,
        trip.closed_wall_ns,
    )


# -- equity, gates, latency --------------------------------------------------------------------


def equity(keys: RunKeys, point: EquityPoint) -> Statement:
    return Statement(
        "INSERT INTO equity_points (session_id, run_id, wall_ns, equity, realized_pnl,"
        " unrealized_pnl, position, mark_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            keys.session_id,
            keys.run_id,
            point.wall_ns,
            money(point.equity),
            money(point.realized_pnl),
            money(point.unrealized_pnl),
            money(point.position),
            optional_money(point.mark_price),
        ),
    )


def gate_evaluation(keys: RunKeys, evaluation: GateEvaluation) -> Statement:
    return Statement(
        "INSERT INTO gate_evaluations (session_id, run_id, wall_ns, gate, ready, details)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            keys.session_id,
            keys.run_id,
            evaluation.wall_ns,
            evaluation.gate,
            int(evaluation.ready),
            details_json(evaluation.details),
        ),
    )


def latency(keys: RunKeys, name: str, histogram: LatencyCounts, wall_ns: int) -> Statement:
    """The run's latest ``name`` histogram, copied now (the histogram keeps counting)."""
    snapshot = details_json(
        {
            "count": histogram.count,
            "sum_ns": histogram.sum_ns,
            "min_ns": histogram.min_ns,
            "max_ns": histogram.max_ns,
            "buckets": [list(bucket) for bucket in histogram.bucket_counts()],
        }
    )
    return Statement(
        "INSERT INTO latency_histograms (run_id, name, buckets, updated_ns) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (run_id, name) DO UPDATE SET buckets = excluded.buckets,"
        " updated_ns = excluded.updated_ns",
        (keys.run_id, name, snapshot, wall_ns),
    )


# -- the run itself ----------------------------------------------------------------------------


def touch_run(keys: RunKeys, now_ns: int) -> Statement:
    return Statement(
        "UPDATE runs SET last_alive_ns = max(last_alive_ns, ?) WHERE id = ?", (now_ns, keys.run_id)
    )


def end_run(keys: RunKeys, how: RunEnd, now_ns: int) -> Statement:
    return Statement(
        "UPDATE runs SET ended_ns = max(started_ns, ?), last_alive_ns = max(last_alive_ns, ?),"
        " how_ended = ? WHERE id = ?",
        (now_ns, now_ns, how.value, keys.run_id),
    )
