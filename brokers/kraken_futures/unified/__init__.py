"""Kraken's Unified WebSocket (``wss://uws.kraken.com/v2/…``), the successor of Derivatives WS v1.

Foundations only (issue 16): Spot REST signing for the WebSocket token (``signing``), the book
CRC32 (``checksum``), the local book kept at the subscribed depth (``book``), the public frames
(``wire``, ``parse``) and the public book feed (``feed``). Wire facts and their sources:
``PROTOCOL.md`` in this folder. Private channels and order entry are not built yet.
"""

from brokers.kraken_futures.unified.checksum import book_checksum, checksum_text
from brokers.kraken_futures.unified.signing import (
    WEBSOCKETS_TOKEN_PATH,
    api_sign,
    token_request,
)

__all__ = [
    "WEBSOCKETS_TOKEN_PATH",
    "api_sign",
    "book_checksum",
    "checksum_text",
    "token_request",
]
