"""The account's own taker fee: Spot REST ``POST /0/private/TradeVolume`` for a derivatives pair.

docs.kraken.com: the Futures fee-schedule endpoints were deprecated on 22 June 2026 ("use the
Spot GetTradeVolume endpoint to determine the fee rate applied to your trades"); since 16 June
2026 ``pair`` takes ``{asset, aclass}`` objects. Needs the key permission "Funds permissions -
Query". The answer is the Spot REST envelope::

    {"error": [], "result": {"currency": "ZUSD", "volume": "200709587.4223",
     "fees": {"XXBTZUSD": {"fee": "0.1000", "min_fee": "0.1000", "max_fee": "0.2600",
                           "next_fee": null, "next_volume": null, "tier_volume": "10000000.0000"}},
     "fees_maker": {...the same shape...}}}

``fees`` is the taker side on a maker/taker schedule, in **percent** ("0.1000" = 0.1 %). Which key
a derivatives pair gets in ``fees`` is not documented [A]: the asset asked for (any case), else
the only entry. Decimal strings become ``Decimal``; fields this module does not know are ignored
and counted (``unknown_fields``); a missing or unreadable taker fee is a one-line ``VenueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from brokers.kraken_futures.unified.signing import SignedRequest, trade_volume_request
from brokers.kraken_futures.unified.spot_rest import VENUE, SpotPrivateRest, read_result
from core.ports import VenueError

PERCENT = Decimal(100)
ENDPOINT = "TradeVolume"
KNOWN_RESULT = frozenset({"currency", "volume", "fees", "fees_maker", "schedules"})
_OLDER_SPELLING = ("minfee", "maxfee", "nextfee", "nextvolume", "tiervolume")
KNOWN_TIER = frozenset(
    ("fee", "min_fee", "max_fee", "next_fee", "next_volume", "tier_volume", *_OLDER_SPELLING)
)


@dataclass(frozen=True, slots=True)
class AccountFees:
    """The account's rates for one pair, as fractions of notional (0.0005 = 0.05 %)."""

    taker_rate: Decimal
    maker_rate: Decimal | None
    volume_30d_usd: Decimal | None
    unknown_fields: int  # fields of the answer this parser does not know (ignored)


def parse_trade_volume(
    body: bytes | str, asset: str, *, http_status: int = 200, keys_hint: str = ""
) -> AccountFees:
    """The ``TradeVolume`` answer for ``asset``; ``VenueError`` (one line) when it has no fee."""
    result = read_result(body, http_status, ENDPOINT, keys_hint=keys_hint)
    unknown = sum(1 for name in result if name not in KNOWN_RESULT)
    taker, unknown_taker = _tier(result.get("fees"), asset)
    if taker is None:
        raise VenueError(
            f"{VENUE} {ENDPOINT}: no taker fee for {asset} in the answer", code="no_fee"
        )
    maker, unknown_maker = _tier(result.get("fees_maker"), asset)
    return AccountFees(
        taker_rate=taker / PERCENT,
        maker_rate=None if maker is None else maker / PERCENT,
        volume_30d_usd=_decimal(result.get("volume")),
        unknown_fields=unknown + unknown_taker + unknown_maker,
    )


def _tier(table: Any, asset: str) -> tuple[Decimal | None, int]:
    """The ``fee`` (percent) of ``asset``'s entry in ``fees``/``fees_maker``, and unknown fields."""
    if not isinstance(table, dict) or not table:
        return None, 0
    wanted = asset.upper()
    entry = next((v for k, v in table.items() if str(k).upper() == wanted), None)
    if entry is None and len(table) == 1:
        entry = next(iter(table.values()))
    if not isinstance(entry, dict):
        return None, 0
    fee = _decimal(entry.get("fee"))
    if fee is not None and not fee >= 0:
        fee = None
    return fee, sum(1 for name in entry if name not in KNOWN_TIER)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class AccountFeeSource(SpotPrivateRest):
    """Asks ``TradeVolume`` once, signed with the Kraken API key (never shown)."""

    def __repr__(self) -> str:
        return f"AccountFeeSource(rest_url={self._transport.shown_url!r}, {self._keys!r})"

    async def fetch(self, asset: str) -> AccountFees:
        """``asset``'s fees for this account; ``VenueError`` (one line, no secret) otherwise."""

        def sign(api_key: str, api_secret: str, nonce: int) -> SignedRequest:
            return trade_volume_request(api_key, api_secret, nonce, asset)

        try:
            answer = await self.post_signed(sign, endpoint=ENDPOINT)
        finally:
            await self.close()
        return parse_trade_volume(
            answer.body, asset, http_status=answer.status, keys_hint=self._keys.hint
        )
