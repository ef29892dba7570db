"""The writer's statements, in two steps: *encode* on the caller's side, *apply* in the writer.

Encoding turns records into SQL parameters (``Decimal`` to exact text), so a bad value (a NaN
price, a setting that cannot be stored) is refused to the caller at once and never reaches, or
stops, the writer. Applying runs inside the writer's current transaction.

Every insert is keyed so that writing the same record twice stores it once: signals by
(session, number), orders by client order id; fills in ``booking.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from core.events import Signal
from core.fill_bands import BandResult
from core.ports import OrderRequest, OrderResult
from core.store.codec import details_json, money, optional_money
from core.store.records import EquityPoint, GateEvaluation, LatencyCounts, RunEnd

ORDER_SENT = "SENT"  # the order left for the venue; no answer recorded yet

Params = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class RunKeys:
    session_id: int
    run_id: int


class Write(Protocol):
    """Something the writer applies inside its transaction."""

    def apply(self, db: sqlite3.Connection) -> object: ...


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement with its parameters, already encoded."""

    sql: str
    params: Params

    def apply(self, db: sqlite3.Connection) -> None:
        db.execute(self.sql, self.params)


@dataclass(frozen=True, slots=True)
class Batch:
    """Several statements applied in order, in the same transaction."""

    statements: tuple[Statement, ...]

    def apply(self, db: sqlite3.Connection) -> None:
        for statement in self.statements:
            statement.apply(db)


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


def fill_bands(
    keys: RunKeys, default: BandResult, bands: Sequence[BandResult], wall_ns: int
) -> Batch:
    """This run's fill bands as of now, pessimistic first; each replaces its last snapshot."""
    rows = [*bands[:1], default, *bands[1:]]
    return Batch(
        tuple(
            Statement(
                "INSERT INTO fill_bands (run_id, model, execution, trades, net_pnl,"
                " open_quantity, short_orders, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, model) DO UPDATE SET trades = excluded.trades,"
                " net_pnl = excluded.net_pnl, open_quantity = excluded.open_quantity,"
                " short_orders = excluded.short_orders, updated_ns = excluded.updated_ns",
                (
                    keys.run_id,
                    band.model.name,
                    band.model.describe(),
                    band.trade_count,
                    money(band.net_pnl),
                    money(band.open_quantity),
                    band.short_orders,
                    wall_ns,
                ),
            )
            for band in rows
        )
    )


def kill_switch(keys: RunKeys, reason: str, phase: str, detail: str, wall_ns: int) -> Statement:
    return Statement(
        "INSERT INTO kill_switch_events (session_id, run_id, wall_ns, reason, phase, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (keys.session_id, keys.run_id, wall_ns, reason, phase, detail),
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
