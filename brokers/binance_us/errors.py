"""Binance.us failures as ``VenueError``s: one clear line, the right ``retryable``, no secret.

The venue answers errors as ``{"code": -1121, "msg": "Invalid symbol."}`` (docs, "Error
Responses"). HTTP 429 means slow down and 418 means the IP is banned for a while; both carry
``Retry-After`` in seconds, which ``RateLimited.retry_after_s`` passes on so nobody hammers.
HTTP 5xx, a timeout or a dropped connection mean the request *may* have taken effect
(``VenueAnswerLost``): an order's fate must then be asked, never assumed.
"""

from __future__ import annotations

from brokers.net.errors import VenueAnswerLost
from core.ports import Refusal, VenueError

VENUE = "Binance.us"
_MAX_MSG_CHARS = 200

# Codes whose request certainly did nothing and that trying again later can fix.
_RETRYABLE = frozenset({-1003, -1015, -1021})
# Codes that leave the outcome unknown (docs: "execution status unknown").
_OUTCOME_UNKNOWN = frozenset({-1000, -1001, -1006, -1007, -1008})

TIMESTAMP_OUTSIDE_WINDOW = -1021
INVALID_SIGNATURE = -1022
FILTER_FAILURE = -1013
UNKNOWN_SYMBOL = -1121
NEW_ORDER_REJECTED = -2010
CANCEL_REJECTED = -2011
NO_SUCH_ORDER = -2013
BAD_API_KEY_FORMAT = -2014
API_KEY_REFUSED = -2015


class RateLimited(VenueError):
    """HTTP 429/418 (or -1003): nothing was done; wait ``retry_after_s`` before any request."""

    def __init__(self, message: str, *, retry_after_s: float, code: str) -> None:
        super().__init__(message, retryable=True, code=code)
        self.retry_after_s = retry_after_s


def _words(code: int, msg: str, credentials_hint: str) -> str:
    lowered = msg.lower()
    if code == TIMESTAMP_OUTSIDE_WINDOW:
        return "request timestamp outside recvWindow (clock skew); the clock offset is re-synced"
    if code == INVALID_SIGNATURE:
        return f"signature not valid: check {credentials_hint or 'the API secret'}"
    if code in (BAD_API_KEY_FORMAT, API_KEY_REFUSED, -1002):
        return (
            "API key refused (wrong key, IP not allowed, or no permission for this action): "
            f"check {credentials_hint or 'the API key'}"
        )
    if code == NEW_ORDER_REJECTED and "insufficient balance" in lowered:
        return "insufficient balance for this order"
    if code == FILTER_FAILURE or lowered.startswith("filter failure"):
        return f"order refused by the symbol's trading rules ({msg.rstrip('.')})"
    if code == UNKNOWN_SYMBOL:
        return "unknown symbol (not listed by Binance.us)"
    if code in (-1003, -1015):
        return f"rate limit exceeded ({msg.rstrip('.')})"
    if code == NEW_ORDER_REJECTED:
        return f"order rejected ({msg.rstrip('.')})"
    return msg.rstrip(".") or "error without a description"


def refusal_for(code: int, msg: str) -> Refusal:
    """The core's class of a refusal (``core.ports.Refusal``), for every code in one place."""
    lowered = msg.lower()
    if code in (INVALID_SIGNATURE, BAD_API_KEY_FORMAT, API_KEY_REFUSED, -1002):
        return Refusal.FATAL  # keys refused or revoked: halt with the reason
    if code in _RETRYABLE or (code == NEW_ORDER_REJECTED and "market is closed" in lowered):
        return Refusal.RETRY_LATER
    if code == NEW_ORDER_REJECTED and "insufficient balance" in lowered:
        return Refusal.VENUE_TRUTH  # the account holds less than the ledger thinks
    return Refusal.FATAL  # filter failures (-1013), unknown symbol, disabled actions…


def api_error(
    endpoint: str, code: int, msg: str, *, http_status: int, credentials_hint: str = ""
) -> VenueError:
    """The ``VenueError`` for a ``{"code","msg"}`` answer."""
    msg = " ".join(msg.split())[:_MAX_MSG_CHARS]
    text = f"{VENUE} {endpoint}: {_words(code, msg, credentials_hint)} [{code}]"
    if code in _OUTCOME_UNKNOWN:
        return VenueAnswerLost(f"{text}; outcome unknown", code=str(code))
    if http_status >= 500:
        return VenueAnswerLost(f"{text} (HTTP {http_status}); outcome unknown", code=str(code))
    return VenueError(
        text, retryable=code in _RETRYABLE, code=str(code), refusal=refusal_for(code, msg)
    )


def rate_limited(endpoint: str, http_status: int, retry_after_s: float) -> RateLimited:
    what = "IP banned for a while" if http_status == 418 else "rate limited"
    return RateLimited(
        f"{VENUE} {endpoint}: {what} (HTTP {http_status}); no request for {retry_after_s:.0f} s",
        retry_after_s=retry_after_s,
        code=f"http_{http_status}",
    )
