"""The simulated venue's Spot REST signature check and its WebSocket tokens.

docs.kraken.com (Spot REST › Authentication): ``API-Sign`` is
``base64(HMAC-SHA512(base64decode(secret), uri_path + SHA256(nonce + post_data)))`` with
``uri_path`` = ``/0/private/GetWebSocketsToken`` and ``post_data`` the body as sent. Written apart
from the adapter's ``signing`` module on purpose: two readings of the docs meet over the wire.

Tokens (``GetWebSocketsToken``): "should be used within 15 minutes of creation, but it does not
expire once a successful Websockets connection and private subscription has been made and is
maintained". So a token must be first used within ``expires`` seconds; once used by a private
subscription it stays good. ``expire_all`` (the expired-token fault) forgets every token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SIM_UNIFIED_API_KEY = "SIM-KRAKEN-UNIFIED-PUBLIC-FAKE-KEY-NOT-A-REAL-CREDENTIAL"
"""The simulated venue's (Spot-style) API key: a public constant, deliberately fake."""

SIM_UNIFIED_API_SECRET = base64.b64encode(
    b"l2console simulated Kraken Unified venue: public fake secret, harmless." * 1
).decode("ascii")
"""The matching base64 secret; public and fake, like the key."""

TOKEN_PATH = "/0/private/GetWebSocketsToken"
TOKEN_LIFETIME_S = 900  # the docs' example ``expires``


def api_sign(secret_b64: str, uri_path: str, nonce: str, post_data: str) -> str:
    """The ``API-Sign`` a correct client sends; ``ValueError`` on a secret that is not base64."""
    try:
        key = base64.b64decode(secret_b64, validate=True)
    except binascii.Error as exc:
        raise ValueError("the API secret is not valid base64") from exc
    inner = hashlib.sha256((nonce + post_data).encode("utf-8")).digest()
    mac = hmac.new(key, uri_path.encode("utf-8") + inner, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode("ascii")


def same(expected: str, given: str) -> bool:
    return hmac.compare_digest(
        expected.encode("ascii", "replace"), given.encode("ascii", "replace")
    )


@dataclass(slots=True)
class IssuedToken:
    key: str  # whose account
    issued_ns: int
    used: bool = False


class TokenBook:
    """Tokens handed out, by value."""

    def __init__(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}
        self.issued = 0
        self.handed_out: list[str] = []  # every token ever issued, for tests that hunt leaks

    def issue(self, key: str, now_ns: int) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = IssuedToken(key, now_ns)
        self.issued += 1
        self.handed_out.append(token)
        return token

    def account_of(self, token: object, now_ns: int) -> str | None:
        """The key a valid token belongs to (marking it used), or None."""
        if not isinstance(token, str):
            return None
        issued = self._tokens.get(token)
        if issued is None:
            return None
        if not issued.used and now_ns - issued.issued_ns > TOKEN_LIFETIME_S * 1_000_000_000:
            del self._tokens[token]
            return None
        issued.used = True
        return issued.key

    def expire_all(self) -> None:
        self._tokens.clear()
