"""Failures every venue shares, as ``VenueError``s: one clear line, no secret."""

from __future__ import annotations

from core.ports import VenueUnreachable


class VenueAnswerLost(VenueUnreachable):
    """The request may have reached the venue, but no usable answer came back.

    A timeout, a connection dropped mid-request, an HTTP 5xx or an unreadable body. For an order
    this means its fate is unknown: ask the venue (by client order id) before sending it again.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def describe(exc: BaseException) -> str:
    """``Type: message`` (or just the type) for logs and disconnect reasons."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
