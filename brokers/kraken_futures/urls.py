"""Where the Kraken Futures venue lives: production and demo defaults, user overrides.

The user may point either URL elsewhere (a proxy, or the simulated venue on 127.0.0.1) with the
settings ``KRAKEN_FUTURES_WS_URL`` and ``KRAKEN_FUTURES_REST_URL``; each is the full base the
adapter builds on (``…/ws/v1`` and ``…/derivatives/api/v3``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from brokers.net.urls import checked_url, redacted

PRODUCTION_WS_URL = "wss://futures.kraken.com/ws/v1"
PRODUCTION_REST_URL = "https://futures.kraken.com/derivatives/api/v3"
DEMO_WS_URL = "wss://demo-futures.kraken.com/ws/v1"
DEMO_REST_URL = "https://demo-futures.kraken.com/derivatives/api/v3"
DEMO_RETIRED = "Kraken retired its Futures demo on 14 July 2026"
REHEARSAL = (
    "rehearse with `l2console run --live` on the simulated venue, whose orders go through the "
    "same Unified adapter"
)

__all__ = [
    "DEMO_REST_URL",
    "DEMO_RETIRED",
    "DEMO_WS_URL",
    "PRODUCTION_REST_URL",
    "PRODUCTION_WS_URL",
    "REHEARSAL",
    "KrakenFuturesEndpoints",
    "KrakenFuturesVenue",
    "redacted",
]


class KrakenFuturesVenue(Enum):
    """Which Kraken Futures venue: the demo (fake money) or production (real money)."""

    DEMO = "demo"
    PRODUCTION = "production"


@dataclass(frozen=True, slots=True)
class KrakenFuturesEndpoints:
    """The WebSocket and REST base URLs the adapter talks to."""

    ws_url: str
    rest_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "ws_url", checked_url(self.ws_url, ("ws", "wss"), "ws_url"))
        object.__setattr__(
            self, "rest_url", checked_url(self.rest_url, ("http", "https"), "rest_url")
        )

    @classmethod
    def for_venue(
        cls,
        venue: KrakenFuturesVenue,
        *,
        ws_url: str | None = None,
        rest_url: str | None = None,
    ) -> KrakenFuturesEndpoints:
        """The venue's own URLs, each replaced by its override when one is given.

        A malformed override raises ``ValueError`` naming the setting, in one line.
        """
        demo = venue is KrakenFuturesVenue.DEMO
        ws = checked_url(ws_url, ("ws", "wss"), "KRAKEN_FUTURES_WS_URL") if ws_url else None
        rest = (
            checked_url(rest_url, ("http", "https"), "KRAKEN_FUTURES_REST_URL")
            if rest_url
            else None
        )
        return cls(
            ws_url=ws or (DEMO_WS_URL if demo else PRODUCTION_WS_URL),
            rest_url=rest or (DEMO_REST_URL if demo else PRODUCTION_REST_URL),
        )
