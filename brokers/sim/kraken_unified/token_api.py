"""The simulated venue's Spot REST on 127.0.0.1: ``POST /0/private/GetWebSocketsToken`` and
``POST /0/private/TradeVolume`` (the account's fee tier, ``trade_volume``), same signature check.

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
from brokers.sim.kraken_unified.trade_volume import TRADE_VOLUME_PATH, TradeVolumeAnswers

CALLS_REMEMBERED = 1_000


class TokenApi:
    def __init__(
        self,
        credentials: dict[str, str],
        tokens: TokenBook,
        clock: Callable[[], int],
        trade_volume: TradeVolumeAnswers | None = None,
        faults: UnifiedFaults | None = None,
    ) -> None:
        self.credentials = dict(credentials)
        self.faults = faults or UnifiedFaults()
        self.tokens = tokens
        self.clock = clock
        self.trade_volume = trade_volume
        self._last_nonce: dict[str, int] = {}
        self.calls: deque[dict[str, str]] = deque(maxlen=CALLS_REMEMBERED)
        """Every call (headers the venue reads, without the secret-derived signature)."""

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(TOKEN_PATH, self.handle)
        if self.trade_volume is not None:
            app.router.add_post(TRADE_VOLUME_PATH, self.handle_trade_volume)

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

    async def handle_trade_volume(self, request: web.Request) -> web.Response:
        """``TradeVolume`` with a JSON body (``{nonce, pair: [{asset, aclass}]}``) or a form."""
        assert self.trade_volume is not None
        body = (await request.read()).decode("utf-8", "replace")
        key = request.headers.get("API-Key", "")
        self.calls.append({"path": request.path, "key": key, "body": body})
        fields = _fields(body, request.headers.get("Content-Type", ""))
        error = self._check(key, request.headers.get("API-Sign", ""), request.path, body, fields)
        if error is None:
            answer = self.trade_volume.answer(key, fields.get("pair"))
        else:
            answer = {"error": [error], "result": {}}
        return web.Response(body=orjson.dumps(answer), content_type="application/json")

    def _check(
        self, key: str, given: str, path: str, body: str, fields: dict[str, object] | None = None
    ) -> str | None:
        secret = self.credentials.get(key)
        if not key or secret is None:
            return "EAPI:Invalid key"
        if fields is None:
            nonces = parse_qs(body).get("nonce", [])
            fields = {"nonce": nonces[0] if len(nonces) == 1 else None}
        raw_nonce = fields.get("nonce")
        text = str(raw_nonce) if isinstance(raw_nonce, int | str) else ""
        if isinstance(raw_nonce, bool) or not text.isdigit():
            return "EAPI:Invalid nonce"
        if not given or not same(api_sign(secret, path, text, body), given):
            return "EAPI:Invalid signature"
        nonce = int(text)
        if nonce <= self._last_nonce.get(key, 0):
            return "EAPI:Invalid nonce"
        self._last_nonce[key] = nonce
        return None


def _fields(body: str, content_type: str) -> dict[str, object]:
    """A Spot REST body's fields: JSON when it says so, else a form (one value per name)."""
    if content_type.startswith("application/json"):
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {name: values[0] for name, values in parse_qs(body).items() if len(values) == 1}
