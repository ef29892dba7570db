"""Signed HTTP calls to the Kraken Futures REST v3 API, and their failures as ``VenueError``s.

Requests follow the venue's guide ("Futures REST › Calls and Returns"): GET parameters go in the
URL, POST parameters in an ``application/x-www-form-urlencoded`` body. ``postData`` for the
signature is that encoded string exactly as sent (query or body); the URL is passed to aiohttp
pre-encoded so it cannot be re-encoded differently from what was signed.
"""

from __future__ import annotations

import time
from typing import Unpack

import msgspec

from brokers.kraken_futures.auth import (
    InvalidSecret,
    decode_secret,
    rest_authent,
    signed_endpoint_path,
)
from brokers.kraken_futures.errors import AUTHENTICATION_ERROR, VenueAnswerLost, venue_error
from brokers.kraken_futures.rest_wire import Answer, decode_as
from brokers.net.rest import Params, RestClientOptions, SignedRestClient, encode_params
from core.ports import VenueError

VENUE = "Kraken Futures"

__all__ = ["KrakenFuturesHttp", "NonceClock", "Params", "checked_answer", "encode_params"]


class NonceClock:
    """Strictly increasing millisecond nonces (the docs: "your system time in milliseconds")."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        self._last = max(time.time_ns() // 1_000_000, self._last + 1)
        return str(self._last)


class KrakenFuturesHttp(SignedRestClient):
    """One venue's REST base URL, credentials and connection pool."""

    VENUE = VENUE

    def __init__(self, *, use_nonce: bool = True, **client: Unpack[RestClientOptions]) -> None:
        super().__init__(**client)
        self._secret_key: bytes | None = None
        if self._keys.secret is not None:
            try:
                self._secret_key = decode_secret(self._keys.secret)
            except InvalidSecret:
                pass  # said when a signed call is made: ``_auth_headers``
        self._nonce = NonceClock() if use_nonce else None

    async def get(self, endpoint: str, params: Params = (), *, signed: bool = True) -> bytes:
        return await self._request("GET", endpoint, params, signed)

    async def post(self, endpoint: str, params: Params = (), *, signed: bool = True) -> bytes:
        return await self._request("POST", endpoint, params, signed)

    def _auth_headers(self, post_data: str, path: str) -> dict[str, str]:
        keys = self._keys
        if not keys.present:
            raise keys.missing_error()
        if self._secret_key is None:
            raise VenueError(
                f"{VENUE} API secret is not valid base64: check {keys.secret_setting}",
                code="bad_credentials",
            )
        assert keys.key is not None
        nonce = self._nonce.next() if self._nonce is not None else ""
        headers = {
            "APIKey": keys.key,
            "Authent": rest_authent(
                self._secret_key,
                post_data=post_data,
                nonce=nonce,
                endpoint_path=signed_endpoint_path(path),
            ),
        }
        if nonce:
            headers["Nonce"] = nonce
        return headers

    async def _request(self, method: str, endpoint: str, params: Params, signed: bool) -> bytes:
        post_data = encode_params(params)
        path = f"/{endpoint}"
        headers = self._auth_headers(post_data, self._transport.base_path + path) if signed else {}
        answer = await self._transport.send(method, path, post_data, headers, endpoint=endpoint)
        return checked_answer(
            endpoint, answer.status, answer.body, credentials_hint=self.credentials_hint
        )


def checked_answer(endpoint: str, status: int, body: bytes, *, credentials_hint: str = "") -> bytes:
    """The body of a successful answer, or the ``VenueError`` the status and body amount to.

    429 is retryable; 5xx and unreadable 2xx bodies mean the answer is lost (the venue may have
    acted); 401/403 and ``authenticationError`` are not retryable and name the key settings.
    """
    if status == 429:
        raise VenueError(
            f"{VENUE} {endpoint}: rate limited (HTTP 429)", retryable=True, code="http_429"
        )
    if status >= 500:
        raise VenueAnswerLost(f"{VENUE} {endpoint}: HTTP {status}", code=f"http_{status}")
    try:
        envelope = decode_as(body, Answer)
    except msgspec.DecodeError:
        if status in (401, 403):
            raise venue_error(
                endpoint,
                AUTHENTICATION_ERROR,
                credentials_hint=credentials_hint,
                http_status=status,
            ) from None
        if status < 300:
            raise VenueAnswerLost(
                f"{VENUE} {endpoint}: unreadable answer", code="bad_answer"
            ) from None
        raise VenueError(f"{VENUE} {endpoint}: HTTP {status}", code=f"http_{status}") from None
    if envelope.result == "success" and status < 300:
        return body
    error = envelope.error or (str(envelope.errors[0]) if envelope.errors else "")
    if not error and status in (401, 403):
        error = AUTHENTICATION_ERROR
    raise venue_error(
        endpoint,
        error,
        credentials_hint=credentials_hint,
        http_status=status if status >= 300 else None,
    )
