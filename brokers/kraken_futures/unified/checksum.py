"""The Unified ``book`` checksum: CRC32 over the top 10 levels as fixed-precision text.

docs.kraken.com, guide "Book checksum (v2)": the top 10 asks low→high, then the top 10 bids
high→low; for each level the price, then the qty, each written at the instrument's precision
(``price_precision``/``qty_precision``) with the ``.`` removed and leading zeros stripped;
``zlib.crc32`` of asks + bids, unsigned. It is always over 10 levels, whatever the depth.

Values may be ``Decimal`` (exact) or ``float``: a float printed at a fixed precision is exact as
long as the number has at most 15 significant digits, which covers every price and quantity the
venue publishes at its precisions. An all-zero text becomes ``"0"`` (the docs are silent).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from decimal import Decimal
from itertools import islice

CHECKSUM_LEVELS = 10

Number = float | Decimal


def _digits(value: Number, precision: int) -> str:
    return format(value, f".{precision}f").replace(".", "").lstrip("0") or "0"


def level_text(price: float, qty: float, price_scale: int, qty_scale: int) -> str:
    """One level's checksum text from floats, ``scale`` = 10**precision: the value as an integer
    count of the precision's units, which is ``_digits`` without the formatting (the ``.`` and
    the leading zeros are never written), at less than half its cost. Equal to ``_digits`` for
    every value written at the precision with at most 15 significant digits: its float times the
    scale is then within far less than half a unit of that count."""
    return f"{round(price * price_scale)}{round(qty * qty_scale)}"


def checksum_text(
    asks: Iterable[tuple[Number, Number]],
    bids: Iterable[tuple[Number, Number]],
    price_precision: int,
    qty_precision: int,
) -> str:
    """The text the CRC is taken of; ``asks`` best (lowest) first, ``bids`` best (highest) first."""
    parts = [
        _digits(price, price_precision) + _digits(qty, qty_precision)
        for side in (asks, bids)
        for price, qty in islice(side, CHECKSUM_LEVELS)
    ]
    return "".join(parts)


def book_checksum(
    asks: Iterable[tuple[Number, Number]],
    bids: Iterable[tuple[Number, Number]],
    price_precision: int,
    qty_precision: int,
) -> int:
    """The unsigned CRC32 the venue puts in ``checksum``; sides sorted best first."""
    return zlib.crc32(checksum_text(asks, bids, price_precision, qty_precision).encode("ascii"))
