"""Kraken Futures request signatures, as the venue checks them (the sim's own reading of the docs).

docs.kraken.com, "Futures REST" guide, Authentication: every private call carries the headers
``APIKey`` and ``Authent`` (and optionally ``Nonce``), where

    Authent = base64(HMAC-SHA512(base64decode(secret), SHA256(postData + nonce + endpointPath)))

``postData`` is the URL-encoded parameter string exactly as sent, ``nonce`` the ``Nonce`` header
("" when absent) and ``endpointPath`` the request path without the ``/derivatives`` prefix, e.g.
``/api/v3/sendorder``. The WebSocket challenge (guide "Futures Websockets", Sign Challenge) is the
same construction over the challenge string alone. Written independently of the adapter's signing
code on purpose: two readings of the docs meet over the wire.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

SIM_API_KEY = "SIM-KRAKEN-FUTURES-PUBLIC-DEMO-KEY-NOT-A-REAL-CREDENTIAL"
"""The simulated venue's API key: a public constant, deliberately fake."""

SIM_API_SECRET = (
    "bDJjb25zb2xlIHNpbXVsYXRlZCB2ZW51ZSBzZWNyZXQgLSBwdWJsaWMsIGZha2UsIGFuZCBoYXJtbGVzcyEh"
)
"""The matching secret (base64, as Kraken hands secrets out); public and fake, like the key."""

DERIVATIVES_PREFIX = "/derivatives"


def authent(secret_b64: str, message: str) -> str:
    """base64(HMAC-SHA512(base64decode(secret), SHA256(message))); ValueError on a bad secret."""
    try:
        key = base64.b64decode(secret_b64, validate=True)
    except binascii.Error as exc:
        raise ValueError("the API secret is not valid base64") from exc
    digest = hashlib.sha256(message.encode("utf-8")).digest()
    return base64.b64encode(hmac.new(key, digest, hashlib.sha512).digest()).decode("ascii")


def endpoint_path(request_path: str) -> str:
    """The signed path: the request path with the ``/derivatives`` prefix removed."""
    if request_path.startswith(DERIVATIVES_PREFIX + "/"):
        return request_path[len(DERIVATIVES_PREFIX) :]
    return request_path


def rest_authent(secret_b64: str, post_data: str, nonce: str, request_path: str) -> str:
    """The ``Authent`` a correct client sends for this request."""
    return authent(secret_b64, post_data + nonce + endpoint_path(request_path))


def sign_challenge(secret_b64: str, challenge: str) -> str:
    """The ``signed_challenge`` for a WebSocket challenge UUID."""
    return authent(secret_b64, challenge)


def verify(expected: str, given: str) -> bool:
    """Constant-time comparison of two signatures."""
    return hmac.compare_digest(
        expected.encode("ascii", "replace"), given.encode("ascii", "replace")
    )
