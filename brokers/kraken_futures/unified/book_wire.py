"""The Unified ``book`` message as typed structs, decoded and checked in one C pass (msgspec).

Nearly every frame of the public socket is a ``book`` message, so the parser tries this decoder
first: the JSON, the shape (``PROTOCOL.md`` §2.3), the types and the bounds (price > 0, qty ≥ 0,
both finite, a uint32 checksum, an RFC 3339 time with its offset) are checked without Python code
running per field. Anything it refuses — other channels, method replies, a malformed book
message — goes to the parser's general path, which handles it or says why it is dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import msgspec

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
MAX_CHECKSUM = 2**32 - 1


class WireLevel(msgspec.Struct, gc=False):
    """One ``{"price": num, "qty": num}``; qty 0 deletes the level."""

    price: Annotated[float, msgspec.Meta(gt=0.0)]
    qty: Annotated[float, msgspec.Meta(ge=0.0)]


class BookItem(msgspec.Struct, kw_only=True, gc=False):
    """The one item of a book message's ``data``. The snapshot's ``timestamp`` may be absent."""

    symbol: str
    checksum: Annotated[int, msgspec.Meta(ge=0, le=MAX_CHECKSUM)]
    bids: list[WireLevel] = []
    asks: list[WireLevel] = []
    timestamp: Annotated[datetime, msgspec.Meta(tz=True)] | None = None


class BookMessage(msgspec.Struct, gc=False):
    channel: Literal["book"]
    type: str
    data: list[BookItem]


decode_book = msgspec.json.Decoder(BookMessage).decode


def venue_ns(timestamp: datetime | None) -> int:
    """Epoch ns of the message's time (exact to its microsecond); 0 when it has none."""
    if timestamp is None:
        return 0
    return (timestamp - _EPOCH) // _MICROSECOND * 1_000
