"""Binance.us request signing and the venue's clock (docs: "Signature Authentication",
"Authentication Timing").

``signature = hex(HMAC-SHA256(secret, totalParams))`` where ``totalParams`` is the query string
followed directly by the request body, exactly as sent. A signed request carries ``timestamp``
(ms) and ``recvWindow``; the venue accepts it when ``timestamp < serverTime + 1000`` and
``serverTime - timestamp <= recvWindow``. Our timestamps therefore come from ``ServerClock``:
the local wall clock plus the offset measured against ``GET /api/v3/time``, so a skewed local
clock never earns a ``-1021``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable


def sign(secret: str, total_params: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``total_params`` keyed with ``secret``."""
    return hmac.new(
        secret.encode("utf-8"), total_params.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class ServerClock:
    """The venue's time as best we know it: local wall clock + measured offset, in ms.

    ``observe(sent_ms, server_ms, received_ms)`` takes one ``/api/v3/time`` exchange and assumes
    the server read its clock half-way through the round trip (error at most half the RTT).
    """

    __slots__ = ("_local_ms", "_monotonic", "offset_ms", "synced_at")

    def __init__(
        self,
        local_ms: Callable[[], int] = wall_ms,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._local_ms = local_ms
        self._monotonic = monotonic
        self.offset_ms = 0
        self.synced_at: float | None = None  # monotonic seconds of the last sync

    def local_ms(self) -> int:
        return self._local_ms()

    def now_ms(self) -> int:
        """The timestamp to send: what the venue's clock reads now."""
        return self._local_ms() + self.offset_ms

    def observe(self, sent_ms: int, server_ms: int, received_ms: int) -> int:
        self.offset_ms = server_ms - (sent_ms + received_ms) // 2
        self.synced_at = self._monotonic()
        return self.offset_ms

    def age_s(self) -> float | None:
        """Seconds since the last sync; None when never synced."""
        return None if self.synced_at is None else self._monotonic() - self.synced_at
