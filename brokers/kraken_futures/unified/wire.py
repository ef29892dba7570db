"""Requests the Unified public adapter sends (docs.kraken.com, Unified WS ``book``,
``instrument``, ``ping``): JSON objects with ``method``, ``params`` and an integer ``req_id``."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

ASSET_CLASS = "derivatives"
BOOK_DEPTHS = (10, 25, 100, 500, 1000)
PUBLIC_URL = "wss://uws.kraken.com/v2/public"
PRIVATE_URL = "wss://uws.kraken.com/v2/private"


def book_request(method: str, symbols: Sequence[str], depth: int, req_id: int) -> str:
    """``subscribe``/``unsubscribe`` to ``book`` (an unsubscribe must echo the depth)."""
    params = {
        "channel": "book",
        "asset_class": ASSET_CLASS,
        "symbol": list(symbols),
        "depth": depth,
    }
    if method == "subscribe":
        params["snapshot"] = True
    return orjson.dumps({"method": method, "params": params, "req_id": req_id}).decode()


def instrument_request(req_id: int) -> str:
    params = {"channel": "instrument", "asset_class": ASSET_CLASS, "snapshot": True}
    return orjson.dumps({"method": "subscribe", "params": params, "req_id": req_id}).decode()


def ping_request(req_id: int) -> str:
    return orjson.dumps({"method": "ping", "req_id": req_id}).decode()
