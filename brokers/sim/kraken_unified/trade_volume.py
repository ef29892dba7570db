"""The simulated venue's ``POST /0/private/TradeVolume``: each account's fee tier.

docs.kraken.com (Get Trade Volume): the answer is ``{"error": [], "result": {"currency": "ZUSD",
"volume": "<30-day USD>", "fees": {<pair>: {"fee", "min_fee", "max_fee", "next_fee",
"next_volume", "tier_volume"}}, "fees_maker": {...}}}``; fees in percent as decimal strings,
``fees`` the taker side. ``pair`` is a comma-separated string or (since 16 June 2026) a list of
``{asset, aclass}`` objects. Undocumented choices [A]: a derivatives pair is keyed by the asset
as asked; an unknown asset or class is ``EQuery:Unknown asset pair``; ``volume`` is the USD
notional of the account's fills (no 30-day window); no ``pair``, no ``fees``.

The rates are the account's own (``SimAccount.taker_fee_rate``/``maker_fee_rate``, set with
``KrakenUnifiedSimServer.set_fee_tier``), else the exchange's defaults, so the fills the sim books
are charged at the rate it reports. ``UnifiedFaults.refuse_trade_volume`` makes it answer an error.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from brokers.sim.kraken_unified.faults import UnifiedFaults
from brokers.sim.market.accounting import notional
from brokers.sim.market.futures import SimExchange

TRADE_VOLUME_PATH = "/0/private/TradeVolume"
PERCENT = Decimal(100)
FOUR = Decimal("0.0001")
UNKNOWN_PAIR = "EQuery:Unknown asset pair"


class TradeVolumeAnswers:
    def __init__(self, exchange: SimExchange, faults: UnifiedFaults) -> None:
        self.exchange = exchange
        self.faults = faults

    def answer(self, key: str, pair: Any) -> dict[str, Any]:
        error = self.faults.take_trade_volume_error()
        if error is not None:
            return {"error": [error], "result": {}}
        assets = _assets(pair)
        if assets is None:
            return {"error": ["EGeneral:Invalid arguments:pair"], "result": {}}
        products = set(self.exchange.market.products)
        if any(asset.upper() not in products for asset in assets):
            return {"error": [UNKNOWN_PAIR], "result": {}}
        account = self.exchange.account(key)
        taker, maker = self.exchange.fee_rates(account)
        volume = sum(
            (
                notional(self.exchange.market.spec(f.product), f.size, f.price)
                for f in account.fills
            ),
            Decimal(0),
        )
        result: dict[str, Any] = {"currency": "ZUSD", "volume": _text(volume)}
        if assets:
            result["fees"] = {asset: _tier(taker) for asset in assets}
            result["fees_maker"] = {asset: _tier(maker) for asset in assets}
        return {"error": [], "result": result}


def _assets(pair: Any) -> list[str] | None:
    """The assets asked for (empty: none), or None for a ``pair`` the sim cannot read."""
    if pair is None or pair == "":
        return []
    if isinstance(pair, str):
        return [name.strip() for name in pair.split(",") if name.strip()]
    if not isinstance(pair, list):
        return None
    assets = []
    for item in pair:
        if not isinstance(item, dict) or not isinstance(item.get("asset"), str):
            return None
        if item.get("aclass", "forex") != "derivatives":
            return None
        assets.append(item["asset"])
    return assets


def _tier(rate: Decimal) -> dict[str, Any]:
    fee = _text(rate * PERCENT)
    return {
        "fee": fee,
        "min_fee": fee,
        "max_fee": fee,
        "next_fee": None,
        "next_volume": None,
        "tier_volume": "0.0000",
    }


def _text(value: Decimal) -> str:
    return f"{value.quantize(FOUR):f}"
