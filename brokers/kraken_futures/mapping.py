"""Kraken Futures REST answers → core types: instruments, positions, open orders, balances."""

from __future__ import annotations

import logging
from decimal import Decimal

import msgspec

from brokers.kraken_futures.iso_time import iso_ns
from brokers.kraken_futures.rest_wire import (
    AccountsAnswer,
    CashAccount,
    FlexAccount,
    InstrumentsAnswer,
    WireFill,
    WireInstrument,
    WireOpenOrder,
    WirePosition,
    decode_as,
)
from core.enums import ContractType, Side
from core.instrument import Instrument
from core.ports import AccountFill, AccountSnapshot, Balance, OpenOrder, VenuePosition

log = logging.getLogger(__name__)

# The docs' instrument ``type`` values; options are not traded here.
_TYPE_CONTRACT = {
    "flexible_futures": ContractType.LINEAR,  # PF_ perpetuals, FF_ dated: multi-collateral
    "futures_vanilla": ContractType.LINEAR,
    "futures_inverse": ContractType.INVERSE,  # PI_ perpetuals, FI_ dated
}
_PREFIX_CONTRACT = {
    "PF_": ContractType.LINEAR,
    "FF_": ContractType.LINEAR,
    "PI_": ContractType.INVERSE,
    "FI_": ContractType.INVERSE,
}


def side_from_wire(side: str) -> Side:
    if side == "buy":
        return Side.BUY
    if side == "sell":
        return Side.SELL
    raise ValueError(f"unknown side {side!r}")


def contract_type_of(symbol: str, wire_type: str) -> ContractType | None:
    """By the venue's ``type`` when it says, else by the symbol's prefix; None = not traded."""
    if wire_type == "options":
        return None
    return _TYPE_CONTRACT.get(wire_type) or _PREFIX_CONTRACT.get(symbol[:3].upper())


def _base_of(symbol: str) -> str:
    """``PF_XBTUSD`` → ``XBT``, for venues that do not send ``base``."""
    core = symbol.upper().split("_")[1] if "_" in symbol else symbol.upper()
    return core.removesuffix("USD") or core


def instrument_from_wire(w: WireInstrument) -> Instrument | None:
    """One listed product as a core ``Instrument``; None for expired, options, or unusable."""
    contract_type = contract_type_of(w.symbol, w.type)
    if contract_type is None or w.isExpired or w.tickSize is None or w.tickSize <= 0:
        return None
    precision = int(w.contractValueTradePrecision or 0)
    size_step = Decimal(1).scaleb(-precision)  # precision 4 -> 0.0001; negative -> 10, 100, …
    contract_size = w.contractSize if w.contractSize and w.contractSize > 0 else Decimal(1)
    return Instrument(
        symbol=w.symbol.upper(),
        contract_type=contract_type,
        tick_size=w.tickSize,
        size_step=size_step,
        min_size=size_step,
        contract_size=contract_size,
        base=(w.base or _base_of(w.symbol)).upper(),
        quote=(w.quote or "USD").upper(),
        tradeable=w.tradeable and not w.postOnly,  # post-only markets take no market orders
    )


def instruments_from_answer(body: bytes) -> dict[str, Instrument]:
    out: dict[str, Instrument] = {}
    for raw in decode_as(body, InstrumentsAnswer).instruments:
        try:
            instrument = instrument_from_wire(decode_as(raw, WireInstrument))
        except (msgspec.ValidationError, ValueError) as exc:
            log.warning("Kraken Futures: skipping an instrument the venue described oddly: %s", exc)
            continue
        if instrument is not None:
            out[instrument.symbol] = instrument
    return out


def account_fill_from_wire(w: WireFill) -> AccountFill:
    """A ``fills`` entry: its time is the docs' ISO ``fillTime`` (UTC)."""
    return AccountFill(
        product=w.symbol.upper(),
        side=side_from_wire(w.side),
        price=w.price,
        quantity=w.size,
        wall_ns=iso_ns(w.fillTime),
        fill_id=w.fill_id,
        client_order_id=w.cliOrdId or "",
    )


def position_from_wire(w: WirePosition) -> VenuePosition:
    if w.side not in ("long", "short"):
        raise ValueError(f"unknown position side {w.side!r}")
    quantity = abs(w.size) if w.side == "long" else -abs(w.size)
    return VenuePosition(product=w.symbol.upper(), quantity=quantity, entry_price=w.price)


def open_order_from_wire(w: WireOpenOrder) -> OpenOrder:
    return OpenOrder(
        client_order_id=w.cliOrdId or "",
        venue_order_id=w.order_id,
        product=w.symbol.upper(),
        side=side_from_wire(w.side),
        quantity=w.unfilledSize if w.unfilledSize is not None else Decimal(0),
        limit_price=w.limitPrice,
    )


def account_from_answer(body: bytes) -> AccountSnapshot:
    """Balances from the multi-collateral (``flex``) wallet, then the cash account."""
    accounts = decode_as(body, AccountsAnswer).accounts
    balances: dict[str, Balance] = {}
    if "flex" in accounts:
        for asset, c in decode_as(accounts["flex"], FlexAccount).currencies.items():
            free = c.available if c.available is not None else c.quantity
            balances[asset.upper()] = Balance(
                asset=asset.upper(), free=free, locked=max(Decimal(0), c.quantity - free)
            )
    if "cash" in accounts:
        for asset, amount in decode_as(accounts["cash"], CashAccount).balances.items():
            balances.setdefault(asset.upper(), Balance(asset=asset.upper(), free=amount))
    return AccountSnapshot(balances=balances)
