"""Signed HTTP calls to the Kraken Futures REST v3 API, and their failures as ``VenueError``s.

Requests follow the venue's guide ("Futures REST › Calls and Returns"): GET parameters go in the
URL, POST parameters in an ``application/x-www-form-urlencoded`` body. ``postData`` for the
signature is that encoded string exactly as sent (query or body); the URL is passed to aiohttp
pre-encoded so it cannot be re-encoded differently from what was signed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from urllib.parse import quote, urlencode, urlsplit

import aiohttp
import msgspec
from pydantic import SecretStr
from yarl import URL

from brokers.kraken_futures.auth import (
    InvalidSecret,
    decode_secret,
    rest_authent,
    signed_endpoint_path,
)
from brokers.kraken_futures.errors import AUTHENTICATION_ERROR, VenueAnswerLost, venue_error
from brokers.kraken_futures.rest_wire import Answer, decode_as
from brokers.kraken_futures.urls import redacted
from core.ports import VenueError, VenueUnreachable

Params = Sequence[tuple[str, str]]


def encode_params(params: Params) -> str:
    """``a=1&b=2``, percent-encoded (spaces as ``%20``), in the given order."""
    return urlencode(list(params), safe="", quote_via=quote)


class NonceClock:
    """Strictly increasing millisecond nonces (the docs: "your system time in milliseconds")."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        self._last = max(time.time_ns() // 1_000_000, self._last + 1)
        return str(self._last)


def _reveal(value: SecretStr | str | None) -> str | None:
    if value is None:
        return None
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text.strip() or None


class KrakenFuturesHttp:
    """One venue's REST base URL, credentials and connection pool."""

    def __init__(
        self,
        *,
        rest_url: str,
        api_key: SecretStr | str | None = None,
        api_secret: SecretStr | str | None = None,
        timeout_s: float = 10.0,
        session: aiohttp.ClientSession | None = None,
        key_setting: str = "the API key",
        secret_setting: str = "the API secret",
        use_nonce: bool = True,
    ) -> None:
        parts = urlsplit(rest_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"Kraken Futures REST URL must be http(s)://…, got {redacted(rest_url)!r}"
            )
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = parts.path.rstrip("/")
        self._shown_url = redacted(rest_url.strip()).rstrip("/")
        self._host = urlsplit(self._shown_url).netloc
        self._api_key = _reveal(api_key)
        secret = _reveal(api_secret)
        self._secret_key: bytes | None = None
        self._secret_invalid = False
        if secret is not None:
            try:
                self._secret_key = decode_secret(secret)
            except InvalidSecret:
                self._secret_invalid = True
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._timeout_s = timeout_s
        self._session = session
        self._owns_session = session is None
        self._key_setting = key_setting
        self._secret_setting = secret_setting
        self._nonce = NonceClock() if use_nonce else None

    def __repr__(self) -> str:
        state = "configured" if self.has_credentials else "not configured"
        return f"KrakenFuturesHttp(rest_url={self._shown_url!r}, keys {state})"

    @property
    def has_credentials(self) -> bool:
        """Both a key and a secret were given (the secret may still turn out malformed)."""
        return self._api_key is not None and (self._secret_key is not None or self._secret_invalid)

    @property
    def credentials_hint(self) -> str:
        return f"{self._key_setting} and {self._secret_setting}"

    async def get(self, endpoint: str, params: Params = (), *, signed: bool = True) -> bytes:
        return await self._request("GET", endpoint, params, signed)

    async def post(self, endpoint: str, params: Params = (), *, signed: bool = True) -> bytes:
        return await self._request("POST", endpoint, params, signed)

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    def _auth_headers(self, post_data: str, path: str) -> dict[str, str]:
        if self._api_key is None or (self._secret_key is None and not self._secret_invalid):
            raise VenueError(
                f"Kraken Futures API key not configured: set {self.credentials_hint}",
                code="missing_credentials",
            )
        if self._secret_key is None:
            raise VenueError(
                f"Kraken Futures API secret is not valid base64: check {self._secret_setting}",
                code="bad_credentials",
            )
        nonce = self._nonce.next() if self._nonce is not None else ""
        headers = {
            "APIKey": self._api_key,
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
        path = f"{self._base_path}/{endpoint}"
        headers = {"Accept": "application/json"}
        if signed:
            headers.update(self._auth_headers(post_data, path))
        url = self._origin + path
        body: bytes | None = None
        if method == "GET":
            if post_data:
                url = f"{url}?{post_data}"
        else:
            body = post_data.encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.request(
                method, URL(url, encoded=True), data=body, headers=headers, timeout=self._timeout
            ) as response:
                status = response.status
                answer = await response.read()
        except aiohttp.ClientConnectorError as exc:
            raise VenueUnreachable(
                f"Kraken Futures unreachable at {self._host}: {exc.os_error or exc}"
            ) from None
        except aiohttp.ConnectionTimeoutError:
            raise VenueUnreachable(
                f"Kraken Futures unreachable at {self._host}: connect timed out"
            ) from None
        except TimeoutError:
            raise VenueAnswerLost(
                f"Kraken Futures {endpoint}: no answer within {self._timeout_s:g} s",
                code="timeout",
            ) from None
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError):
            raise VenueAnswerLost(
                f"Kraken Futures {endpoint}: connection lost before the answer", code="disconnected"
            ) from None
        except aiohttp.ClientError as exc:
            raise VenueError(
                f"Kraken Futures {endpoint}: request failed ({type(exc).__name__})",
                code="client_error",
            ) from None
        return checked_answer(endpoint, status, answer, credentials_hint=self.credentials_hint)


def checked_answer(endpoint: str, status: int, body: bytes, *, credentials_hint: str = "") -> bytes:
    """The body of a successful answer, or the ``VenueError`` the status and body amount to.

    429 is retryable; 5xx and unreadable 2xx bodies mean the answer is lost (the venue may have
    acted); 401/403 and ``authenticationError`` are not retryable and name the key settings.
    """
    if status == 429:
        raise VenueError(
            f"Kraken Futures {endpoint}: rate limited (HTTP 429)", retryable=True, code="http_429"
        )
    if status >= 500:
        raise VenueAnswerLost(f"Kraken Futures {endpoint}: HTTP {status}", code=f"http_{status}")
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
                f"Kraken Futures {endpoint}: unreadable answer", code="bad_answer"
            ) from None
        raise VenueError(
            f"Kraken Futures {endpoint}: HTTP {status}", code=f"http_{status}"
        ) from None
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
