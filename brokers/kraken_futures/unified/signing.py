"""Spot REST signing (``API-Sign``), used by the Unified WebSocket only to get its token.

docs.kraken.com, "Spot REST › Authentication": ``API-Sign`` is
``base64(HMAC-SHA512(key = base64decode(secret), msg = uri_path + SHA256(nonce + post_data)))``
where ``uri_path`` starts at ``/0/private`` and ``post_data`` is byte for byte the body sent.
Pure functions: no I/O, no clock (the caller brings the nonce, an always increasing integer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

import orjson

from brokers.kraken_futures.auth import decode_secret

WEBSOCKETS_TOKEN_PATH = "/0/private/GetWebSocketsToken"
TRADE_VOLUME_PATH = "/0/private/TradeVolume"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
DERIVATIVES_ACLASS = "derivatives"


def api_sign(key: bytes, *, uri_path: str, nonce: int | str, post_data: str) -> str:
    """The ``API-Sign`` header value. ``key`` is ``decode_secret(api_secret)``."""
    if not uri_path.startswith("/0/"):
        raise ValueError("Spot REST signs the path starting at /0/private")
    digest = hashlib.sha256(f"{nonce}{post_data}".encode()).digest()
    mac = hmac.new(key, uri_path.encode() + digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode("ascii")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """One signed Spot REST POST: its path, form body and headers (which hold the key)."""

    path: str
    body: str
    headers: dict[str, str]

    def __repr__(self) -> str:  # the headers carry the key and the signature
        return f"SignedRequest(path={self.path!r}, headers=<hidden>)"


def token_request(api_key: str, api_secret: str, nonce: int) -> SignedRequest:
    """``POST /0/private/GetWebSocketsToken`` signed with a Kraken (Spot) API key."""
    if nonce <= 0:
        raise ValueError("nonce must be a positive, always increasing integer")
    body = f"nonce={nonce}"
    sign = api_sign(
        decode_secret(api_secret), uri_path=WEBSOCKETS_TOKEN_PATH, nonce=nonce, post_data=body
    )
    headers = {"API-Key": api_key, "API-Sign": sign, "Content-Type": FORM_CONTENT_TYPE}
    return SignedRequest(WEBSOCKETS_TOKEN_PATH, body, headers)


def trade_volume_request(
    api_key: str, api_secret: str, nonce: int, asset: str, *, aclass: str = DERIVATIVES_ACLASS
) -> SignedRequest:
    """``POST /0/private/TradeVolume`` for one ``{asset, aclass}`` (the fee of a derivatives pair).

    docs.kraken.com (Get Trade Volume; changelog 16 June 2026): ``pair`` takes a list of
    ``{asset, aclass}`` objects, "required for non-forex classes such as ``derivatives``". A list
    of objects needs the JSON body (the docs' example is ``application/json``); the signature
    hashes ``nonce`` + that exact JSON text.
    """
    if nonce <= 0:
        raise ValueError("nonce must be a positive, always increasing integer")
    body = orjson.dumps({"nonce": nonce, "pair": [{"asset": asset, "aclass": aclass}]}).decode()
    sign = api_sign(
        decode_secret(api_secret), uri_path=TRADE_VOLUME_PATH, nonce=nonce, post_data=body
    )
    headers = {"API-Key": api_key, "API-Sign": sign, "Content-Type": JSON_CONTENT_TYPE}
    return SignedRequest(TRADE_VOLUME_PATH, body, headers)
