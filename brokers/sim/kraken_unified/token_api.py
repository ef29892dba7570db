"""``POST /0/private/GetWebSocketsToken`` of the simulated venue (Spot REST, on 127.0.0.1).

Answers the Spot REST envelope: ``{"error": [], "result": {"token": "…", "expires": 900}}``
with HTTP 200, or ``{"error": ["EAPI:Invalid key"], "result": {}}`` for an unknown key or a
missing header, ``["EAPI:Invalid signature"]`` for a wrong ``API-Sign``, ``["EAPI:Invalid
nonce"]`` for a nonce not above the key's last one (docs: "always increasing"), all HTTP 200
as the docs show the error array in the body [A for the HTTP status].
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from urllib.parse import parse_qs

import orjson
from aiohttp import web

from brokers.sim.kraken_unified.auth import (
    TOKEN_LIFETIME_S,
    TOKEN_PATH,
    TokenBook,
    api_sign,
    same,
)
from brokers.sim.kraken_unified.faults import UnifiedFaults

CALLS_REMEMBERED = 1_000


class TokenApi:
    def __init__(
        self,
        credentials: dict[str, str],
        tokens: TokenBook,
        clock: Callable[[], int],
        faults: UnifiedFaults | None = None,
    ) -> None:
        self.credentials = dict(credentials)
        self.faults = faults or UnifiedFaults()
        self.tokens = tokens
        self.clock = clock
        self._last_nonce: dict[str, int] = {}
        self.calls: deque[dict[str, str]] = deque(maxlen=CALLS_REMEMBERED)
        """Every call (headers the venue reads, without the secret-derived signature)."""

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(TOKEN_PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        body = (await request.read()).decode("utf-8", "replace")
        key = request.headers.get("API-Key", "")
        self.calls.append({"path": request.path, "key": key, "body": body})
        error = self._check(key, request.headers.get("API-Sign", ""), request.path, body)
        if error is not None:
            answer: dict[str, object] = {"error": [error], "result": {}}
        else:
            issued_ns = self.clock()
            if self.faults.take_expired_token():  # the fault: born past its first-use lifetime
                issued_ns -= (TOKEN_LIFETIME_S + 1) * 1_000_000_000
            token = self.tokens.issue(key, issued_ns)
            answer = {"error": [], "result": {"token": token, "expires": TOKEN_LIFETIME_S}}
        return web.Response(body=orjson.dumps(answer), content_type="application/json")

    def _check(self, key: str, given: str, path: str, body: str) -> str | None:
        secret = self.credentials.get(key)
        if not key or secret is None:
            return "EAPI:Invalid key"
        nonces = parse_qs(body).get("nonce", [])
        if len(nonces) != 1 or not nonces[0].isdigit():
            return "EAPI:Invalid nonce"
        if not given or not same(api_sign(secret, path, nonces[0], body), given):
            return "EAPI:Invalid signature"
        nonce = int(nonces[0])
        if nonce <= self._last_nonce.get(key, 0):
            return "EAPI:Invalid nonce"
        self._last_nonce[key] = nonce
        return None
