"""Booking fills: a fill, the round trip it closed and the ledger state after it, as one unit.

The unit is what makes resume exact: the position and ledger totals stored are always those
right after the last stored fill, because they are committed together with it. A fill id seen
before brings nothing with it (its effects were committed the first time), and a fill id seen
before *for a different fill* is refused rather than skipped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from core.events import RoundTrip
from core.ledger import BookedFill
from core.store.codec import money, optional_money
from core.store.writes import Params, RunKeys


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
