"""Kraken's Spot REST as the Unified adapter uses it (the WebSocket token, the account's fees, the
system status): one signed POST with the Kraken API key, on the shared network layer, and the
answer's envelope.

Each private caller brings its request signer (``signing``); this module holds what the callers
share: the keys (never shown), the process-wide increasing nonce, one-line errors for a missing
key or a secret that is not base64, and ``read_result``, which reads the envelope every Spot REST
answer has (``{"error": [...], "result": {...}}``) into the result or one-line ``VenueError``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import orjson
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


def read_result(
    body: bytes | str, http_status: int, endpoint: str, *, keys_hint: str = ""
) -> dict[str, Any]:
    """The ``result`` object of a Spot REST answer. ``VenueError``, one line and no secret: an
    unreadable body (``bad_answer``, retryable: a proxy's error page), a non-empty ``error``
    array (a refusal coded by its prefix, retryable for the prefixes the docs call temporary; a
    refused key or signature says where the keys are set, ``keys_hint``), no ``result`` object
    (``bad_answer``)."""
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        raise VenueError(
            f"{VENUE} {endpoint}: unreadable answer (HTTP {http_status})",
            retryable=True,
            code="bad_answer",
        )
    errors = answer.get("error") or []
    if errors:
        text = (", ".join(str(e) for e in errors) if isinstance(errors, list) else str(errors))[
            :200
        ]
        bad_keys = keys_hint and ("Invalid key" in text or "signature" in text)
        raise VenueError(
            f"{VENUE} {endpoint} refused: {text}" + (f"; check {keys_hint}" if bad_keys else ""),
            retryable=text.startswith(RETRYABLE_PREFIXES),
            code=text.split(":", 1)[0] or "error",
        )
    result = answer.get("result")
    if not isinstance(result, dict):
        raise VenueError(f"{VENUE} {endpoint}: no result in the answer", code="bad_answer")
    return result
