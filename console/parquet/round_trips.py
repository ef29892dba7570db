"""``l2console report --format parquet --to FILE``: a session's round trips, one row each.

Money stays exact: Parquet decimals (``decimal128``) with as many places as the column's most
precise value needs, so every value reads back as the very ``Decimal`` the ledger booked. Times
are UTC timestamps in nanoseconds. Columns: ``ROUND_TRIP_COLUMNS`` (the README documents them).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from console.parquet.arrow import pyarrow_modules
from core.enums import Side
from core.events import RoundTrip

MONEY_COLUMNS = ("quantity", "entry_price", "exit_price", "gross_pnl", "fees", "net_pnl")
ROUND_TRIP_COLUMNS = (
    "number",
    "product",
    "side",
    *MONEY_COLUMNS,
    "opened",
    "closed",
    "hold_seconds",
)
_MAX_DIGITS = 38  # decimal128


def write_round_trips(trips: Sequence[RoundTrip], out: Path, *, session: str = "") -> int:
    """Write ``trips`` to ``out``; returns the number of rows."""
    pa, pq = pyarrow_modules()
    utc = pa.timestamp("ns", tz="UTC")
    columns: dict[str, Any] = {
        "number": pa.array(range(1, len(trips) + 1), type=pa.int64()),
        "product": pa.array([t.product for t in trips], type=pa.string()),
        "side": pa.array(["long" if t.side is Side.BUY else "short" for t in trips]),
    }
    for name in MONEY_COLUMNS:
        values = [getattr(t, name) for t in trips]
        columns[name] = pa.array(values, type=_decimal_type(pa, values))
    columns["opened"] = pa.array([t.opened_wall_ns for t in trips], type=pa.int64()).cast(utc)
    columns["closed"] = pa.array([t.closed_wall_ns for t in trips], type=pa.int64()).cast(utc)
    columns["hold_seconds"] = pa.array([t.hold_ns / 1e9 for t in trips], type=pa.float64())
    table = pa.table(columns).replace_schema_metadata({"session": session})
    pq.write_table(table, str(out))
    return len(trips)


def _decimal_type(pa: Any, values: Sequence[Decimal]) -> Any:
    """The narrowest-scale ``decimal128`` that holds every value exactly."""
    scale = 2
    whole = 1
    for value in values:
        _sign, digits, exponent = value.as_tuple()
        if not isinstance(exponent, int):
            raise ValueError(f"{value} is not a finite amount")
        scale = max(scale, -exponent)
        whole = max(whole, len(digits) + exponent)
    if whole + scale > _MAX_DIGITS:
        raise ValueError(f"amounts need {whole + scale} digits, more than Parquet's {_MAX_DIGITS}")
    return pa.decimal128(_MAX_DIGITS, scale)
