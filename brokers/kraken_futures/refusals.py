"""Kraken Futures refusals, classified in one place: each documented ``sendStatus.status`` and
error string that refuses a request, mapped to the core's ``Refusal`` class.

The engine acts on the class only (``core.ports.Refusal``): retry later, re-read the venue's
truth first, or halt. A status or error this table does not know is ``FATAL``: an unexplained
refusal halts trading with its words rather than being sent again.
"""

from __future__ import annotations

from core.ports import Refusal

# sendorder's sendStatus.status values that refuse the order (docs, "Send order": status).
SEND_STATUS = {
    # the market or the venue cannot take it now; the same order may pass later
    "marketSuspended": Refusal.RETRY_LATER,
    "marketInactive": Refusal.RETRY_LATER,
    "outsidePriceCollar": Refusal.RETRY_LATER,
    "wouldIncreasePriceDispersion": Refusal.RETRY_LATER,
    "tooManySmallOrders": Refusal.RETRY_LATER,
    "unknownError": Refusal.RETRY_LATER,
    "requestExpired": Refusal.RETRY_LATER,  # processBefore passed before it was processed
    # the order assumed a position or margin the venue does not see
    "wouldNotReducePosition": Refusal.VENUE_TRUTH,
    "reduceOnlyWouldIncreasePosition": Refusal.VENUE_TRUTH,
    "insufficientAvailableFunds": Refusal.VENUE_TRUTH,
    "wouldCauseLiquidation": Refusal.VENUE_TRUTH,
    "maxPositionViolation": Refusal.VENUE_TRUTH,
    # the order itself is wrong: sending it again gives the same answer
    "invalidOrderType": Refusal.FATAL,
    "invalidSide": Refusal.FATAL,
    "invalidSize": Refusal.FATAL,
    "invalidPrice": Refusal.FATAL,
    "clientOrderIdAlreadyExist": Refusal.FATAL,
    "clientOrderIdTooBig": Refusal.FATAL,
    "selfFill": Refusal.RETRY_LATER,
}

# Error strings of the documented error schema (every REST page lists the set).
ERRORS = {
    "apiLimitExceeded": Refusal.RETRY_LATER,
    "marketUnavailable": Refusal.RETRY_LATER,
    "nonceBelowThreshold": Refusal.RETRY_LATER,
    "nonceDuplicate": Refusal.RETRY_LATER,
    "Server Error": Refusal.RETRY_LATER,
    "Unavailable": Refusal.RETRY_LATER,
    "unknownError": Refusal.RETRY_LATER,
    "insufficientFunds": Refusal.VENUE_TRUTH,
    "authenticationError": Refusal.FATAL,
    "apiKeyExpired": Refusal.FATAL,
    "accountInactive": Refusal.FATAL,
    "invalidAccount": Refusal.FATAL,
    "invalidArgument": Refusal.FATAL,
    "invalidAmount": Refusal.FATAL,
    "invalidUnit": Refusal.FATAL,
    "requiredArgumentMissing": Refusal.FATAL,
    "Json Parse Error": Refusal.FATAL,
}


def send_status_refusal(status: str) -> Refusal:
    return SEND_STATUS.get(status, Refusal.FATAL)


def error_refusal(error: str) -> Refusal:
    return ERRORS.get(error, Refusal.FATAL)
