"""Small builders for book events and instruments, so tests read like the venue's messages."""

from __future__ import annotations

from decimal import Decimal

from core.enums import ContractType
from core.events import BookDelta, BookSnapshot, Level
from core.instrument import Instrument

PRODUCT = "PF_XBTUSD"


def snapshot(
    seq: int,
    bids: list[Level] | tuple[Level, ...] = ((100.0, 1.0),),
    asks: list[Level] | tuple[Level, ...] = ((101.0, 1.0),),
    *,
    product: str = PRODUCT,
    recv_ns: int = 0,
) -> BookSnapshot:
    return BookSnapshot(product, seq, tuple(bids), tuple(asks), venue_ts_ns=0, recv_ns=recv_ns)


def kraken_delta(
    seq: int, side: str, price: float, qty: float, *, product: str = PRODUCT, recv_ns: int = 0
) -> BookDelta:
    """One Kraken Futures ``book`` message: one level, one sequence number."""
    level = ((price, qty),)
    bids, asks = (level, ()) if side == "buy" else ((), level)
    return BookDelta(product, seq, seq, bids, asks, venue_ts_ns=0, recv_ns=recv_ns)


def binance_delta(
    first: int,
    last: int,
    bids: list[Level] | tuple[Level, ...] = (),
    asks: list[Level] | tuple[Level, ...] = (),
    *,
    product: str = "BTCUSDT",
    recv_ns: int = 0,
) -> BookDelta:
    """One Binance.us ``depthUpdate``: ``U=first``, ``u=last``, many levels."""
    return BookDelta(product, first, last, tuple(bids), tuple(asks), venue_ts_ns=0, recv_ns=recv_ns)


def linear_instrument(symbol: str = PRODUCT) -> Instrument:
    """Like Kraken's PF_XBTUSD: tick 0.5 USD, size step 0.0001 BTC."""
    return Instrument(
        symbol=symbol,
        contract_type=ContractType.LINEAR,
        tick_size=Decimal("0.5"),
        size_step=Decimal("0.0001"),
        base="XBT",
    )


def inverse_instrument(symbol: str = "PI_XBTUSD") -> Instrument:
    """Like Kraken's PI_XBTUSD: tick 0.5 USD, 1-USD contracts, step 1 contract."""
    return Instrument(
        symbol=symbol,
        contract_type=ContractType.INVERSE,
        tick_size=Decimal("0.5"),
        size_step=Decimal(1),
        contract_size=Decimal(1),
        base="XBT",
    )
