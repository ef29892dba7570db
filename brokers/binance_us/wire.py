"""Binance.us frames and REST answers as the venue sends them (docs.binance.us; the official
``binance-us-api-docs`` repository: ``web-socket-streams.md``, ``rest-api.md``, ``filters.md``).

Stream frames are on the hot path: one msgspec struct per frame, decoded non-strictly so the
venue's decimal *strings* (``["0.0024","10"]``) become floats in the same pass. REST money is
decoded as exact ``Decimal``. Unknown fields are ignored; a field of the wrong type makes the
whole frame or answer invalid (counted and dropped, or one clear ``VenueError``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

ABSENT_ID = -1

WireLevel = tuple[float, float]
"""``[price, quantity]``; quantity is the new absolute size, 0 removes the level."""


# --- streams ----------------------------------------------------------------------------------
class DepthEvent(msgspec.Struct, gc=False):
    """A ``depthUpdate`` (``<symbol>@depth@100ms``): ids ``U..u`` and the changed levels."""

    e: str = ""  # event type
    E: int = 0  # event time, ms
    s: str = ""  # symbol, upper case
    U: int = ABSENT_ID  # first update id in the event
    u: int = ABSENT_ID  # final update id in the event
    b: list[WireLevel] | None = None
    a: list[WireLevel] | None = None


class StreamFrame(DepthEvent, gc=False):
    """Any stream frame, flattened: a raw event, a combined ``{"stream","data"}`` wrapper, or a
    control answer (``{"result":null,"id":1}``, ``{"code":2,"msg":…}``)."""

    stream: str = ""
    data: DepthEvent | None = None
    id: int | None = None
    code: int | None = None
    msg: str = ""


STREAM_DECODER = msgspec.json.Decoder(StreamFrame, strict=False)
DEPTH_UPDATE = "depthUpdate"


# --- REST -------------------------------------------------------------------------------------
class ErrorAnswer(msgspec.Struct):
    code: int
    msg: str = ""


class ServerTime(msgspec.Struct):
    serverTime: int


class DepthSnapshot(msgspec.Struct, gc=False):
    lastUpdateId: int
    bids: list[WireLevel]
    asks: list[WireLevel]


DEPTH_DECODER = msgspec.json.Decoder(DepthSnapshot, strict=False)


class RateLimit(msgspec.Struct):
    rateLimitType: str
    interval: str
    intervalNum: int
    limit: int


class SymbolInfo(msgspec.Struct):
    symbol: str
    status: str
    baseAsset: str
    quoteAsset: str
    orderTypes: list[str] = []
    isSpotTradingAllowed: bool = True
    filters: list[dict[str, Any]] = []


class ExchangeInfo(msgspec.Struct):
    symbols: list[SymbolInfo]
    rateLimits: list[RateLimit] = []
    serverTime: int = 0


class WireFill(msgspec.Struct):
    """One execution in a ``FULL`` order answer; ``commission`` is in ``commissionAsset``."""

    price: Decimal
    qty: Decimal
    commission: Decimal
    commissionAsset: str
    tradeId: int = ABSENT_ID


class OrderAnswer(msgspec.Struct):
    """``POST /api/v3/order`` (``FULL``) and ``GET /api/v3/order`` share these fields."""

    symbol: str
    orderId: int
    clientOrderId: str
    status: str = ""
    side: str = ""
    type: str = ""
    price: Decimal = Decimal(0)
    origQty: Decimal = Decimal(0)
    executedQty: Decimal = Decimal(0)
    cummulativeQuoteQty: Decimal = Decimal(0)
    transactTime: int = 0
    fills: list[WireFill] = []


class Trade(msgspec.Struct):
    """``GET /api/v3/myTrades``: one of our executions."""

    symbol: str
    id: int
    orderId: int
    price: Decimal
    qty: Decimal
    commission: Decimal
    commissionAsset: str
    time: int = 0
    isBuyer: bool = True


class WireBalance(msgspec.Struct):
    asset: str
    free: Decimal
    locked: Decimal = Decimal(0)


class AccountAnswer(msgspec.Struct):
    balances: list[WireBalance]
    canTrade: bool = True


class TradeFee(msgspec.Struct):
    """``GET /sapi/v1/asset/query/trading-fee``: rates as fractions (``"0.006"`` = 60 bps)."""

    symbol: str
    makerCommission: Decimal
    takerCommission: Decimal


def decode_as(body: bytes, kind: type[Any]) -> Any:
    """Strict decode of a REST answer into ``kind`` (``msgspec.ValidationError`` on a mismatch)."""
    return msgspec.json.decode(body, type=kind)
