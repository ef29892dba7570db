"""Kraken Futures failures as ``VenueError``s: one clear line, right ``retryable``, no secret."""

from __future__ import annotations

from brokers.kraken_futures.refusals import error_refusal
from brokers.net.errors import VenueAnswerLost
from core.ports import VenueError

__all__ = ["AUTHENTICATION_ERROR", "RETRYABLE_ERRORS", "VenueAnswerLost", "venue_error"]


# The venue's documented error strings (every REST page lists the same set).
_FRIENDLY = {
    "accountInactive": "the Futures account is inactive",
    "apiKeyExpired": "the API key has expired",
    "apiLimitExceeded": "API rate limit exceeded",
    "authenticationError": "authentication failed",
    "insufficientFunds": "insufficient funds",
    "invalidAccount": "invalid account",
    "invalidAmount": "invalid amount",
    "invalidArgument": "invalid argument",
    "invalidUnit": "invalid unit",
    "Json Parse Error": "the venue could not parse the request",
    "marketUnavailable": "market unavailable",
    "nonceBelowThreshold": "nonce below threshold",
    "nonceDuplicate": "duplicate nonce",
    "notFound": "not found",
    "requiredArgumentMissing": "a required argument is missing",
    "Server Error": "venue server error",
    "Unavailable": "endpoint unavailable",
    "unknownError": "unknown venue error",
}
RETRYABLE_ERRORS = frozenset(
    {
        "apiLimitExceeded",
        "marketUnavailable",
        "nonceBelowThreshold",  # a fresh, larger nonce fixes it
        "nonceDuplicate",
        "Server Error",
        "Unavailable",
        "unknownError",
    }
)
AUTHENTICATION_ERROR = "authenticationError"


def venue_error(
    endpoint: str, error: str, *, credentials_hint: str = "", http_status: int | None = None
) -> VenueError:
    """A ``VenueError`` for an error string the venue returned."""
    words = _FRIENDLY.get(error, error or "error without a description")
    status = f" (HTTP {http_status})" if http_status else ""
    message = f"Kraken Futures {endpoint}: {words} [{error or 'no error code'}]{status}"
    if error in (AUTHENTICATION_ERROR, "apiKeyExpired") and credentials_hint:
        message += f"; check {credentials_hint}"
    return VenueError(
        message,
        retryable=error in RETRYABLE_ERRORS,
        code=error or "error",
        refusal=error_refusal(error),
    )
