"""Unified WebSocket messages as the simulated venue writes them (public side).

Shapes per docs.kraken.com (Unified WS ``book``, ``instrument``, ``status``, ``heartbeat``,
``ping``; Spot WS v2 where Unified only refers to it); see
``brokers/kraken_futures/unified/PROTOCOL.md``. Book prices and quantities are JSON numbers
written at the instrument's fixed precision (``45283.5``, ``0.10000000``), so the text is built
here rather than by a JSON encoder, which would trim the zeros. The checksum is this module's own
computation from the exact Decimals (it does not import the adapter's).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from brokers.sim.market.products import SimProductSpec

ASSET_CLASS = "derivatives"
BOOK_DEPTHS = (10, 25, 100, 500, 1000)
CHECKSUM_LEVELS = 10
API_VERSION = "v2"

DecimalLevel = tuple[Decimal, Decimal]


def rfc3339(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decimals_of(step: Decimal) -> int:
    return max(0, -int(step.normalize().as_tuple().exponent))


def price_precision(spec: SimProductSpec) -> int:
    return decimals_of(spec.tick_size)


def qty_precision(spec: SimProductSpec) -> int:
    return spec.size_decimals


def fixed(value: Decimal, places: int) -> str:
    return format(value, f".{places}f")


def checksum(
    asks: Sequence[DecimalLevel], bids: Sequence[DecimalLevel], spec: SimProductSpec
) -> int:
    """CRC32 of the top 10 asks (low→high) then bids (high→low), '.' and leading zeros removed."""
    pp, qp = price_precision(spec), qty_precision(spec)
    text = "".join(
        (fixed(p, pp).replace(".", "").lstrip("0") or "0")
        + (fixed(q, qp).replace(".", "").lstrip("0") or "0")
        for side in (asks[:CHECKSUM_LEVELS], bids[:CHECKSUM_LEVELS])
        for p, q in side
    )
    return zlib.crc32(text.encode("ascii"))


def _levels(levels: Sequence[DecimalLevel], spec: SimProductSpec) -> str:
    pp, qp = price_precision(spec), qty_precision(spec)
    return ",".join(f'{{"price":{fixed(p, pp)},"qty":{fixed(q, qp)}}}' for p, q in levels)


def book_message(
    kind: str,
    spec: SimProductSpec,
    bids: Sequence[DecimalLevel],
    asks: Sequence[DecimalLevel],
    *,
    crc: int,
    now_ns: int,
    extra: str = "",
) -> str:
    """``{"channel":"book","type":kind,"data":[{symbol,bids,asks,checksum,timestamp}]}``;
    ``extra`` (``,"name":value`` text) adds fields to the item (the unknown-fields fault)."""
    return (
        f'{{"channel":"book","type":"{kind}","data":[{{"symbol":"{spec.symbol}",'
        f'"bids":[{_levels(bids, spec)}],"asks":[{_levels(asks, spec)}],'
        f'"checksum":{crc},"timestamp":"{rfc3339(now_ns)}"{extra}}}]}}'
    )


UNKNOWN_FIELDS = ',"l2c_unheard_of":{"nested":[1,2]},"l2c_flag":true'
"""Fields the docs never named, added to a book item by ``SimFaults.add_unknown_fields``."""


def instrument_pair(spec: SimProductSpec) -> dict[str, Any]:
    pp, qp = price_precision(spec), qty_precision(spec)
    return {
        "symbol": spec.symbol,
        "base": spec.base,
        "quote": spec.quote,
        "status": "online",
        "price_precision": pp,
        "qty_precision": qp,
        "price_increment": float(spec.tick_size),
        "qty_increment": float(spec.size_step),
        "qty_min": float(spec.size_step),
        "marginable": True,
    }


def instrument_message(kind: str, specs: Sequence[SimProductSpec]) -> dict[str, Any]:
    assets = sorted({s.base for s in specs} | {s.quote for s in specs})
    return {
        "channel": "instrument",
        "type": kind,
        "data": {
            "assets": [{"id": a, "status": "enabled"} for a in assets],
            "pairs": [instrument_pair(s) for s in specs],
        },
    }


def status_message(system: str, connection_id: int, upcoming: Sequence[Any] = ()) -> dict[str, Any]:
    """``status``, with the Unified ``upcoming_maintenance`` and ``emergency`` arrays (always
    both, as where Kraken's maintenance-status integration is enabled)."""
    return {
        "channel": "status",
        "type": "update",
        "data": [
            {
                "system": system,
                "api_version": API_VERSION,
                "connection_id": connection_id,
                "version": "2.0.0",
                "upcoming_maintenance": list(upcoming),
                "emergency": [],
            }
        ],
    }


HEARTBEAT_TEXT = orjson.dumps({"channel": "heartbeat"}).decode()


def reply(
    method: str,
    req_id: Any,
    now_ns: int,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """A method reply: ``success`` and ``result``, or ``success: false`` and one ``error`` string."""
    message: dict[str, Any] = {"method": method}
    if error is None:
        if result is not None:
            message["result"] = result
        message["success"] = True
    else:
        message["success"] = False
        message["error"] = error
    if req_id is not None:
        message["req_id"] = req_id
    stamp = rfc3339(now_ns)
    message["time_in"] = stamp
    message["time_out"] = stamp
    return message


MALFORMED_FRAME = '{"channel":"book","type":"update","data":[{"symbol":"PF_XBT'
UNKNOWN_FRAMES: tuple[dict[str, Any], ...] = (
    {"channel": "ticker", "type": "update", "data": [{"symbol": "PF_XBTUSD", "bid": 1.0}]},
)
