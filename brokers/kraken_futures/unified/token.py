"""The WebSocket token: ``POST /0/private/GetWebSocketsToken`` on the Spot REST API.

docs.kraken.com (Unified WebSocket › Authentication): private channels and trading need a token
from the Spot REST endpoint, requested with a Kraken API key (not a Derivatives key); "obtain a
fresh token on each connection". The answer is the Spot REST envelope
``{"error": [], "result": {"token": "…", "expires": 900}}``; a non-empty ``error`` array is a
refusal (``EAPI:Invalid key``…). The token is a secret: it never appears in a repr or a message.
"""

from __future__ import annotations

import orjson

from brokers.kraken_futures.unified.signing import token_request
from brokers.kraken_futures.unified.spot_rest import RETRYABLE_PREFIXES, VENUE, SpotPrivateRest
from core.ports import VenueError


class TokenSource(SpotPrivateRest):
    """Fetches a fresh token for each private connection."""

    fetched = 0

    def __repr__(self) -> str:
        return f"TokenSource(rest_url={self._transport.shown_url!r}, {self._keys!r})"

    async def fetch(self) -> str:
        """A new token; ``VenueError`` (one line, no secret) when the venue refuses."""
        answer = await self.post_signed(token_request, endpoint="GetWebSocketsToken")
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
            hint = (
                f"; check {self._keys.hint}" if "Invalid key" in text or "signature" in text else ""
            )
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
