"""HTTP calls to the Binance.us REST API: signing, the venue's clock, rate-limit back-off.

Docs ("General REST API Information", "Signature Authentication", "Rate Limits"): GET/DELETE
parameters go in the query string, POST parameters in an ``x-www-form-urlencoded`` body; the
signature covers query string + body exactly as sent, so the URL is handed to aiohttp
pre-encoded. ``timestamp`` comes from ``ServerClock`` (synced from ``GET /api/v3/time`` before the
first signed call, again every ``resync_clock_after_s`` and after any ``-1021``).

Rate limits are per IP. After an HTTP 429 or 418 the gate stays shut for ``Retry-After`` seconds
(default 60 / 120 when the header is missing): every call in that window fails at once with
``RateLimited`` *without* being sent, so neither orders nor snapshot retries make a ban longer.
The last ``X-MBX-USED-WEIGHT-1M`` header is kept in ``used_weight_1m``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Unpack

import msgspec

from brokers.binance_us.auth import ServerClock, sign
from brokers.binance_us.errors import (
    TIMESTAMP_OUTSIDE_WINDOW,
    VENUE,
    RateLimited,
    VenueAnswerLost,
    api_error,
    rate_limited,
)
from brokers.binance_us.wire import ErrorAnswer, ServerTime, decode_as
from brokers.net.rest import Params, RestClientOptions, SignedRestClient, encode_params
from core.ports import VenueError

log = logging.getLogger(__name__)

__all__ = ["BinanceUsHttp", "Params", "encode_params"]

DEFAULT_RECV_WINDOW_MS = 5000  # the docs' default, and their advice ("5000 or less")
MAX_RECV_WINDOW_MS = 60_000
DEFAULT_RETRY_AFTER_S = {429: 60.0, 418: 120.0}
WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M"


def _retry_after(header: str | None, status: int) -> float:
    try:
        seconds = float(header) if header is not None else DEFAULT_RETRY_AFTER_S[status]
    except ValueError:
        seconds = DEFAULT_RETRY_AFTER_S[status]
    return max(1.0, seconds)


class BinanceUsHttp(SignedRestClient):
    """One REST host, its credentials, its clock offset, its rate-limit gate and connection pool."""

    VENUE = VENUE

    def __init__(
        self,
        *,
        recv_window_ms: int = DEFAULT_RECV_WINDOW_MS,
        resync_clock_after_s: float = 600.0,
        clock: ServerClock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        **client: Unpack[RestClientOptions],
    ) -> None:
        client.setdefault("key_setting", "BINANCE_US_API_KEY")
        client.setdefault("secret_setting", "BINANCE_US_API_SECRET")
        super().__init__(**client)
        if not 0 < recv_window_ms <= MAX_RECV_WINDOW_MS:
            raise ValueError(f"recvWindow must be 1..{MAX_RECV_WINDOW_MS} ms, got {recv_window_ms}")
        self._recv_window = str(recv_window_ms)
        self._resync_after_s = resync_clock_after_s
        self.clock = clock or ServerClock()
        self._monotonic = monotonic
        self._blocked_until = 0.0
        self._blocked_by: RateLimited | None = None
        self.used_weight_1m = 0

    def blocked_for_s(self) -> float:
        """Seconds the rate-limit gate stays shut (0 when open)."""
        return max(0.0, self._blocked_until - self._monotonic())

    # --- calls ---------------------------------------------------------------------------------
    async def public(self, path: str, params: Params = ()) -> bytes:
        return await self._send("GET", path, encode_params(params), headers={})

    async def signed(self, method: str, path: str, params: Params = ()) -> bytes:
        """A SIGNED (TRADE / USER_DATA) call: ``timestamp``, ``recvWindow``, ``signature``."""
        headers = {"X-MBX-APIKEY": self._require_key()}
        secret = self._keys.secret
        assert secret is not None
        age = self.clock.age_s()
        if age is None or age > self._resync_after_s:
            await self.sync_clock()
        query = encode_params(
            [*params, ("recvWindow", self._recv_window), ("timestamp", str(self.clock.now_ms()))]
        )
        query += f"&signature={sign(secret, query)}"
        try:
            return await self._send(method, path, query, headers=headers)
        except VenueError as exc:
            if exc.code == str(TIMESTAMP_OUTSIDE_WINDOW):
                self.clock.synced_at = None  # the next signed call re-measures the offset
            raise

    async def keyed(self, path: str, params: Params = ()) -> bytes:
        """A call that needs the key header but no signature (MARKET_DATA, USER_STREAM)."""
        headers = {"X-MBX-APIKEY": self._require_key()}
        return await self._send("GET", path, encode_params(params), headers=headers)

    async def sync_clock(self) -> int:
        """Measure the venue's clock offset; returns it in ms (positive: the venue is ahead)."""
        sent = self.clock.local_ms()
        body = await self.public("/api/v3/time")
        received = self.clock.local_ms()
        try:
            server = decode_as(body, ServerTime).serverTime
        except msgspec.ValidationError:
            raise VenueError(f"{VENUE} time: unexpected answer", code="bad_answer") from None
        offset = self.clock.observe(sent, server, received)
        if abs(offset) > 1000:
            log.info("Binance.us: local clock is %+d ms off the venue's; correcting", -offset)
        return offset

    def _require_key(self) -> str:
        keys = self._keys
        if keys.key is None or keys.secret is None:
            raise keys.missing_error()
        return keys.key

    async def _send(
        self, method: str, path: str, encoded: str, *, headers: dict[str, str]
    ) -> bytes:
        endpoint = path.removeprefix("/api/v3/").removeprefix("/sapi/v1/")
        wait = self.blocked_for_s()
        if wait > 0 and self._blocked_by is not None:
            status = self._blocked_by.code.removeprefix("http_")
            raise RateLimited(
                f"{VENUE} {endpoint}: not sent, backing off after HTTP {status} "
                f"for {wait:.0f} s more",
                retry_after_s=wait,
                code=self._blocked_by.code,
            )
        answer = await self._transport.send(method, path, encoded, headers, endpoint=endpoint)
        status = answer.status
        weight = answer.headers.get(WEIGHT_HEADER)
        if weight is not None and weight.isdigit():
            self.used_weight_1m = int(weight)
        if status in (418, 429):
            error = rate_limited(
                endpoint, status, _retry_after(answer.headers.get("Retry-After"), status)
            )
            self._blocked_until = self._monotonic() + error.retry_after_s
            self._blocked_by = error
            log.warning("%s", error)
            raise error
        return self._checked(endpoint, status, answer.body)

    def _checked(self, endpoint: str, status: int, body: bytes) -> bytes:
        if status < 300:
            return body
        try:
            error = decode_as(body, ErrorAnswer)
        except (msgspec.ValidationError, msgspec.DecodeError):
            if status >= 500:
                raise VenueAnswerLost(
                    f"{VENUE} {endpoint}: HTTP {status}; outcome unknown", code=f"http_{status}"
                ) from None
            if status == 403:
                raise VenueError(
                    f"{VENUE} {endpoint}: refused by the venue's web application firewall "
                    "(HTTP 403)",
                    code="http_403",
                ) from None
            raise VenueError(f"{VENUE} {endpoint}: HTTP {status}", code=f"http_{status}") from None
        raise api_error(
            endpoint,
            error.code,
            error.msg,
            http_status=status,
            credentials_hint=self.credentials_hint,
        )
