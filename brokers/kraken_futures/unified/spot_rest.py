"""Kraken's Spot REST, private side, as the Unified adapter uses it (the WebSocket token and the
account's fees): one signed POST with the Kraken API key, on the shared network layer.

Each caller brings its request signer (``signing``) and reads its own answer; this module holds
what they share: the keys (never shown), the process-wide increasing nonce, and one-line errors
for a missing key or a secret that is not base64.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pydantic import SecretStr

from brokers.kraken_futures.unified.signing import SignedRequest
from brokers.net.rest import RawAnswer, SignedRestClient
from core.ports import VenueError

VENUE = "Kraken"
RETRYABLE_PREFIXES = ("EService:", "EAPI:Invalid nonce", "EGeneral:Temporary")

Signer = Callable[[str, str, int], SignedRequest]
"""``(api_key, api_secret, nonce)`` → the signed request."""

_nonce_lock = threading.Lock()
_last_nonce = 0


def next_nonce() -> int:
    """Milliseconds since the epoch, always increasing within this process."""
    global _last_nonce  # noqa: PLW0603 - one increasing counter per process, as the docs require
    with _nonce_lock:
        _last_nonce = max(_last_nonce + 1, time.time_ns() // 1_000_000)
        return _last_nonce


class SpotPrivateRest(SignedRestClient):
    """A signed Spot REST caller for one Kraken API key."""

    VENUE = VENUE

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
        super().__init__(
            rest_url=rest_url,
            api_key=api_key,
            api_secret=api_secret,
            key_setting=key_setting,
            secret_setting=secret_setting,
            timeout_s=timeout_s,
        )

    async def post_signed(self, sign: Signer, *, endpoint: str) -> RawAnswer:
        """Sign with a fresh nonce and send; ``VenueError`` (one line, no secret) when the keys
        are missing or the secret is not base64. The answer is the caller's to read."""
        keys = self._keys
        if keys.key is None or keys.secret is None:
            raise keys.missing_error()
        try:
            signed = sign(keys.key, keys.secret, next_nonce())
        except ValueError:
            raise VenueError(
                f"{VENUE}: {keys.secret_setting} is not a valid base64 secret",
                code="bad_credentials",
            ) from None
        return await self._transport.send(
            "POST", signed.path, signed.body, signed.headers, endpoint=endpoint
        )
