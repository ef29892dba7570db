"""The Kraken Futures wire shapes the simulated venue sends: WebSocket v1 messages, instruments.

Every builder returns a plain dict ready for ``orjson.dumps``; field names, types and values
follow docs.kraken.com (Futures WebSocket "Book", "Heartbeat", the Futures Websockets guide, REST
"Get instruments"). Numbers are JSON numbers (integral values as integers, like the docs'
examples: ``"qty": 6385``), timestamps on the WebSocket are epoch milliseconds, and REST times are
ISO-8601 UTC with milliseconds (``"2019-09-05T16:33:50.734Z"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from brokers.sim.market.books import BookView, LevelChange
from brokers.sim.market.products import SimProductSpec
from core.enums import ContractType, Side

Json = dict[str, Any]

# Documented WebSocket error messages (Futures WebSocket "Book", Response Error).
WS_INVALID_PRODUCT = "Invalid product id"
WS_INVALID_FEED = "Invalid feed"
WS_JSON_ERROR = "Json Error"

MALFORMED_FRAME = '{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":'
"""What the malformed-frame fault sends: a book message cut off mid-way (not valid JSON)."""


def num(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an integer when integral (as in the docs' examples)."""
    integral = value.to_integral_value()
    return int(integral) if value == integral else float(value)


def ms(ns: int) -> int:
    return ns // 1_000_000


def iso(ns: int) -> str:
    """``2019-09-05T16:33:50.734Z``: the REST time format."""
    seconds, rest = divmod(ns, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)  # whole seconds: no float rounding
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rest // 1_000_000:03d}Z"


def wire_side(side: Side) -> str:
    return "buy" if side is Side.BUY else "sell"


# --- WebSocket v1 --------------------------------------------------------------------------------
def info() -> Json:
    return {"event": "info", "version": 1}


def ws_error(message: str) -> Json:
    return {"event": "error", "message": message}


def subscription_ack(event: str, feed: str, product_ids: list[str] | None) -> Json:
    """``subscribed``/``unsubscribed``; ``product_ids`` only for feeds that take them."""
    message: Json = {"event": event, "feed": feed}
    if product_ids is not None:
        message["product_ids"] = product_ids
    return message


def challenge(uuid: str) -> Json:
    return {"event": "challenge", "message": uuid}


def heartbeat(now_ns: int) -> Json:
    return {"feed": "heartbeat", "time": ms(now_ns)}


def book_snapshot(book: BookView, seq: int, now_ns: int) -> Json:
    # The docs type tickSize as "string, Always null" and the example sends null: we do too.
    return {
        "feed": "book_snapshot",
        "product_id": book.product,
        "timestamp": ms(now_ns),
        "seq": seq,
        "tickSize": None,
        "bids": [{"price": num(price), "qty": num(size)} for price, size in book.bids],
        "asks": [{"price": num(price), "qty": num(size)} for price, size in book.asks],
    }


def book_delta(product: str, change: LevelChange, seq: int, now_ns: int) -> Json:
    return {
        "feed": "book",
        "product_id": product,
        "side": wire_side(change.side),
        "seq": seq,
        "price": num(change.price),
        "qty": num(change.size),
        "timestamp": ms(now_ns),
    }


# --- REST: instruments ----------------------------------------------------------------------------
_OPENING_DATE = "2022-01-01T00:00:00.000Z"

# Initial/maintenance margin by position size, shaped like the docs' example for PF_XBTUSD.
_LINEAR_MARGIN_LEVELS = [
    {"numNonContractUnits": 0, "initialMargin": 0.02, "maintenanceMargin": 0.01},
    {"numNonContractUnits": 500000, "initialMargin": 0.04, "maintenanceMargin": 0.02},
    {"numNonContractUnits": 2000000, "initialMargin": 0.1, "maintenanceMargin": 0.05},
]
_INVERSE_MARGIN_LEVELS = [
    {"contracts": 0, "initialMargin": 0.02, "maintenanceMargin": 0.01},
    {"contracts": 500000, "initialMargin": 0.04, "maintenanceMargin": 0.02},
    {"contracts": 1000000, "initialMargin": 0.06, "maintenanceMargin": 0.03},
]


def instrument_type(spec: SimProductSpec) -> str:
    """Kraken's ``type``: linear multi-collateral perpetuals are ``flexible_futures``."""
    if spec.contract_type is ContractType.LINEAR:
        return "flexible_futures"
    if spec.contract_type is ContractType.INVERSE:
        return "futures_inverse"
    raise ValueError(f"{spec.symbol}: Kraken Futures lists no {spec.contract_type.value} products")


def instrument(spec: SimProductSpec) -> Json:
    linear = spec.contract_type is ContractType.LINEAR
    margins = _LINEAR_MARGIN_LEVELS if linear else _INVERSE_MARGIN_LEVELS
    entry: Json = {
        "symbol": spec.symbol,
        "pair": f"{spec.base}:{spec.quote}",
        "base": spec.base,
        "quote": spec.quote,
        "type": instrument_type(spec),
        "tickSize": num(spec.tick_size),
        "contractSize": num(spec.contract_size),
        "tradeable": True,
        "impactMidSize": 1,
        "maxPositionSize": 1000000,
        "openingDate": _OPENING_DATE,
        "marginLevels": margins,
        "retailMarginLevels": margins,
        "fundingRateCoefficient": 8,
        "maxRelativeFundingRate": 0.001,
        "contractValueTradePrecision": spec.size_decimals,
        "postOnly": False,
        "category": "Layer 1" if linear else "",
        "tags": [],
        "tradfi": False,
        "mtf": False,
        "isExpired": False,
    }
    if not linear:
        entry["underlying"] = f"rr_{spec.base.lower()}{spec.quote.lower()}"
    return entry


def instruments(specs: Iterable[SimProductSpec], now_ns: int) -> Json:
    return {
        "result": "success",
        "instruments": [instrument(spec) for spec in specs],
        "serverTime": iso(now_ns),
    }


def rest_error(error: str, now_ns: int) -> Json:
    """The documented error body: ``{"result":"error","error":...,"serverTime":...}``."""
    return {"result": "error", "error": error, "serverTime": iso(now_ns)}
