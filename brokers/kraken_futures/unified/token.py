"""The WebSocket token: ``POST /0/private/GetWebSocketsToken`` on the Spot REST API.

docs.kraken.com (Unified WebSocket › Authentication): private channels and trading need a token
from the Spot REST endpoint, requested with a Kraken API key (not a Derivatives key); "obtain a
fresh token on each connection". The answer is the Spot REST envelope
``{"error": [], "result": {"token": "…", "expires": 900}}``; a non-empty ``error`` array is a
refusal (``EAPI:Invalid key``…). The token is a secret: it never appears in a repr or a message.
"""

from __future__ import annotations

from brokers.kraken_futures.unified.signing import token_request
from brokers.kraken_futures.unified.spot_rest import VENUE, SpotPrivateRest, read_result
from core.ports import VenueError


class TokenSource(SpotPrivateRest):
    """Fetches a fresh token for each private connection."""

    fetched = 0

    def __repr__(self) -> str:
        return f"TokenSource(rest_url={self._transport.shown_url!r}, {self._keys!r})"

    async def fetch(self) -> str:
        """A new token; ``VenueError`` (one line, no secret) when the venue refuses."""
        answer = await self.post_signed(token_request, endpoint="GetWebSocketsToken")
        result = read_result(
            answer.body, answer.status, "GetWebSocketsToken", keys_hint=self._keys.hint
        )
        token = result.get("token")
        if not isinstance(token, str) or not token:
            raise VenueError(
                f"{VENUE} GetWebSocketsToken: no token in the answer", code="bad_answer"
            )
        self.fetched += 1
        return token
