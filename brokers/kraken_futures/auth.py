"""Kraken Futures request signing: pure functions, no I/O, no clock.

Both the REST ``Authent`` header and the WebSocket signed challenge are the same construction
(docs.kraken.com, "Futures REST › Authentication" and "Futures WebSockets › Sign Challenge"):

    base64( HMAC-SHA512( key = base64decode(api_secret), msg = SHA256(message) ) )

where ``message`` is ``postData + nonce + endpointPath`` for REST and the challenge UUID for the
WebSocket. ``endpointPath`` is the URL extension starting at ``/api/v3/…``: a request sent to
``…/derivatives/api/v3/sendorder`` is signed as ``/api/v3/sendorder``. ``postData`` is the
URL-encoded parameter string exactly as it appears in the request (since the February 2024 change
the venue hashes the encoded form, e.g. ``greeting=hello%20world``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

DERIVATIVES_PREFIX = "/derivatives"


class InvalidSecret(ValueError):
    """The API secret is not base64. The message never contains the secret itself."""


def decode_secret(api_secret: str) -> bytes:
    """The HMAC key: the base64-decoded secret. Raises ``InvalidSecret`` if it is not base64."""
    try:
        return base64.b64decode(api_secret.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecret("API secret is not valid base64") from None


def _sign(key: bytes, message: str) -> str:
    digest = hashlib.sha256(message.encode("utf-8")).digest()
    return base64.b64encode(hmac.new(key, digest, hashlib.sha512).digest()).decode("ascii")


def signed_endpoint_path(request_path: str) -> str:
    """The path the venue signs: the request path without a leading ``/derivatives``."""
    if request_path == DERIVATIVES_PREFIX or request_path.startswith(DERIVATIVES_PREFIX + "/"):
        return request_path[len(DERIVATIVES_PREFIX) :]
    return request_path


def rest_authent(key: bytes, *, post_data: str, nonce: str, endpoint_path: str) -> str:
    """The ``Authent`` header value for one REST request.

    ``key`` is ``decode_secret(api_secret)``; ``endpoint_path`` must already be the signed path
    (see ``signed_endpoint_path``); ``nonce`` is "" when no ``Nonce`` header is sent.
    """
    return _sign(key, post_data + nonce + endpoint_path)


def sign_challenge(key: bytes, challenge: str) -> str:
    """The ``signed_challenge`` for a WebSocket private-feed subscription."""
    return _sign(key, challenge)
