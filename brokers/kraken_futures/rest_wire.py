"""Kraken Futures REST v3 answers as the venue sends them (docs.kraken.com, futures-api/trading).

Numbers that are money or quantities decode straight into ``Decimal`` from the JSON text (msgspec
reads the digits, not a float), so nothing drifts. Every field we do not need is left out and
ignored; fields the venue documents as optional have defaults. Answers are decoded non-strictly
(a number sent as a string is accepted).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import msgspec


class Answer(msgspec.Struct):
    """The envelope every endpoint shares: ``result`` is "success" or "error"."""

    result: str = ""
    error: str = ""
    errors: list[Any] | None = None


class WireInstrument(msgspec.Struct):
    symbol: str
    type: str = ""
    tickSize: Decimal | None = None
    contractSize: Decimal | None = None
    contractValueTradePrecision: Decimal | None = None
    base: str | None = None
    quote: str | None = None
    tradeable: bool = True
    postOnly: bool = False
    isExpired: bool = False


class InstrumentsAnswer(msgspec.Struct):
    # Kept raw: one odd instrument must not hide all the others.
    instruments: list[msgspec.Raw] = []


class WireOrder(msgspec.Struct):
    orderId: str = ""
    cliOrdId: str | None = None
    type: str = ""
    symbol: str = ""
    side: str = ""
    quantity: Decimal | None = None
    filled: Decimal | None = None
    limitPrice: Decimal | None = None
    reduceOnly: bool = False


class WireOrderEvent(msgspec.Struct):
    """One of PLACE, EXECUTION, REJECT, CANCEL, EDIT, … in ``sendStatus.orderEvents``."""

    type: str
    executionId: str = ""
    price: Decimal | None = None
    amount: Decimal | None = None
    reason: str = ""
    order: WireOrder | None = None
    orderPriorExecution: WireOrder | None = None


class SendStatus(msgspec.Struct):
    status: str
    order_id: str = ""
    cliOrdId: str | None = None
    orderEvents: list[WireOrderEvent] = []


class SendOrderAnswer(msgspec.Struct):
    sendStatus: SendStatus


class OrderStatusEntry(msgspec.Struct):
    """One order in ``orders/status``: ENTERED_BOOK, FULLY_EXECUTED, REJECTED, CANCELLED, …"""

    order: WireOrder
    status: str
    updateReason: str | None = None
    error: str | None = None


class OrdersStatusAnswer(msgspec.Struct):
    orders: list[OrderStatusEntry] = []


class WireFill(msgspec.Struct):
    size: Decimal
    price: Decimal
    fill_id: str = ""
    order_id: str = ""
    cliOrdId: str | None = None
    symbol: str = ""
    side: str = ""
    fillTime: str = ""


class FillsAnswer(msgspec.Struct):
    fills: list[WireFill] = []


class WirePosition(msgspec.Struct):
    symbol: str
    side: str  # "long" | "short"
    size: Decimal
    price: Decimal


class OpenPositionsAnswer(msgspec.Struct):
    openPositions: list[WirePosition] = []


class WireOpenOrder(msgspec.Struct):
    order_id: str
    symbol: str
    side: str
    cliOrdId: str | None = None
    orderType: str = ""
    limitPrice: Decimal | None = None
    unfilledSize: Decimal | None = None
    filledSize: Decimal | None = None
    reduceOnly: bool = False


class OpenOrdersAnswer(msgspec.Struct):
    openOrders: list[WireOpenOrder] = []


class DeadManStatus(msgspec.Struct):
    currentTime: str = ""
    triggerTime: str = ""


class DeadManAnswer(msgspec.Struct):
    status: DeadManStatus = msgspec.field(default_factory=DeadManStatus)


class FlexCurrency(msgspec.Struct):
    quantity: Decimal = Decimal(0)
    available: Decimal | None = None


class FlexAccount(msgspec.Struct):
    currencies: dict[str, FlexCurrency] = {}


class CashAccount(msgspec.Struct):
    balances: dict[str, Decimal] = {}


class AccountsAnswer(msgspec.Struct):
    # Margin accounts (one per inverse product family) are kept raw and not read.
    accounts: dict[str, msgspec.Raw] = {}


T = TypeVar("T")


def decode_as(body: bytes | msgspec.Raw, kind: type[T]) -> T:
    """Decode an answer body (or a raw part of one) into ``kind``, leniently."""
    return msgspec.json.decode(body, type=kind, strict=False)
