"""The small closed vocabularies of the domain: sides, modes, book states."""

from __future__ import annotations

from enum import Enum


class Side(Enum):
    """Direction of an order or a fill."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY

    @property
    def sign(self) -> int:
        """+1 for BUY, -1 for SELL: multiply a quantity by it to get a signed position change."""
        return 1 if self is Side.BUY else -1


class Mode(Enum):
    """How decisions reach the market (see ARCHITECTURE.md, Modes)."""

    DRY_RUN = "DRY RUN"
    PAPER = "PAPER"
    LIVE = "LIVE"


class BookState(Enum):
    """Whether a book can be traded on. Only LIVE books feed decisions."""

    LIVE = "LIVE"
    SYNCING = "SYNCING"
    STALE = "STALE"


class ContractType(Enum):
    """How an instrument's quantity converts to money."""

    SPOT = "spot"  # quantity in base currency, P&L in quote currency
    LINEAR = "linear"  # futures sized in base currency (Kraken PF_), P&L in quote currency
    INVERSE = "inverse"  # futures sized in quote-currency contracts (Kraken PI_), P&L in base


class SignalAction(Enum):
    """What the strategy wants."""

    BUY = "BUY"  # open long
    SELL = "SELL"  # open short
    CLOSE = "CLOSE"  # close whatever is open


class OrderType(Enum):
    MARKET = "MARKET"
    LIMIT_IOC = "LIMIT_IOC"


class OrderStatus(Enum):
    """Venue-neutral outcome of an order request."""

    FILLED = "FILLED"  # completely executed
    PARTIALLY_FILLED = "PARTIALLY_FILLED"  # IOC/market executed in part, rest cancelled
    NOT_FILLED = "NOT_FILLED"  # accepted but nothing executed (IOC would not execute)
    OPEN = "OPEN"  # resting on the book
    REJECTED = "REJECTED"  # refused by the venue
    UNKNOWN = "UNKNOWN"  # no answer (timeout); ask the venue before doing anything else
