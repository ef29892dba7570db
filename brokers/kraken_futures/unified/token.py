"""The WebSocket token: ``POST /0/private/GetWebSocketsToken`` on the Spot REST API.

docs.kraken.com (Unified WebSocket › Authentication): private channels and trading need a token
from the Spot REST endpoint, requested with a Kraken API key (not a Derivatives key); "obtain a
fresh token on each connection". The answer is the Spot REST envelope
``{"error": [], "result": {"token": "…", "expires": 900}}``; a non-empty ``error`` array is a
refusal (``EAPI:Invalid key``…). The token is a secret: it never appears in a repr or a message.
"""

from __future__ import annotations

import threading
import time

import orjson
from pydantic import SecretStr

from brokers.kraken_futures.unified.signing import token_request
from brokers.net.rest import ApiKeys, RestTransport
from core.ports import VenueError

VENUE = "Kraken"
RETRYABLE_PREFIXES = ("EService:", "EAPI:Invalid nonce", "EGeneral:Temporary")

_nonce_lock = threading.Lock()
_last_nonce = 0


def next_nonce() -> int:
    """Milliseconds since the epoch, always increasing within this process."""
    global _last_nonce  # noqa: PLW0603 - one increasing counter per process, as the docs require
    with _nonce_lock:
        _last_nonce = max(_last_nonce + 1, time.time_ns() // 1_000_000)
        return _last_nonce


class TokenSource:
    """Fetches a fresh token for each private connection."""

    def __init__(
        self,
        rest_url: str,
        api_key: SecretStr | str | None,
        api_secret: SecretStr | str | None,
        *,
        key_setting: str = "KRAKEN_API_KEY",
        secret_setting: str = "KRAKEN_API_SECRET",
        timeout_s: float = 10.0,
    ) -> None:
        self._transport = RestTransport(VENUE, rest_url, timeout_s=timeout_s)
        self._keys = ApiKeys(
            VENUE, api_key, api_secret, key_setting=key_setting, secret_setting=secret_setting
        )
        self.fetched = 0

    def __repr__(self) -> str:
        return f"TokenSource(rest_url={self._transport.shown_url!r}, {self._keys!r})"

    @property
    def has_credentials(self) -> bool:
        return self._keys.present

    async def fetch(self) -> str:
        """A new token; ``VenueError`` (one line, no secret) when the venue refuses."""
        keys = self._keys
        if keys.key is None or keys.secret is None:
            raise keys.missing_error()
        try:
            signed = token_request(keys.key, keys.secret, next_nonce())
        except ValueError:
            raise VenueError(
                f"{VENUE}: {keys.secret_setting} is not a valid base64 secret",
                code="bad_credentials",
            ) from None
        answer = await self._transport.send(
            "POST", signed.path, signed.body, signed.headers, endpoint="GetWebSocketsToken"
        )
        try:
            body = orjson.loads(answer.body)
            errors = body.get("error") or []
            token = (body.get("result") or {}).get("token") if not errors else None
        except (orjson.JSONDecodeError, AttributeError):
            raise VenueError(
                f"{VENUE} GetWebSocketsToken: unreadable answer (HTTP {answer.status})",
                retryable=True,
                code="bad_answer",
            ) from None
        if errors:
            text = ", ".join(str(e) for e in errors)[:200]
            hint = f"; check {keys.hint}" if "Invalid key" in text or "signature" in text else ""
            raise VenueError(
                f"{VENUE} GetWebSocketsToken refused: {text}{hint}",
                retryable=text.startswith(RETRYABLE_PREFIXES),
                code=text.split(":", 1)[0] or "error",
            )
        if not isinstance(token, str) or not token:
            raise VenueError(
                f"{VENUE} GetWebSocketsToken: no token in the answer", code="bad_answer"
            )
        self.fetched += 1
        return token

    async def close(self) -> None:
        await self._transport.close()
