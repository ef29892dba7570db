"""Where the Kraken Futures venue lives: production and demo defaults, user overrides.

The user may point either URL elsewhere (a proxy, or the simulated venue on 127.0.0.1) with the
settings ``KRAKEN_FUTURES_WS_URL`` and ``KRAKEN_FUTURES_REST_URL``; each is the full base the
adapter builds on (``…/ws/v1`` and ``…/derivatives/api/v3``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

PRODUCTION_WS_URL = "wss://futures.kraken.com/ws/v1"
PRODUCTION_REST_URL = "https://futures.kraken.com/derivatives/api/v3"
DEMO_WS_URL = "wss://demo-futures.kraken.com/ws/v1"
DEMO_REST_URL = "https://demo-futures.kraken.com/derivatives/api/v3"


class KrakenFuturesVenue(Enum):
    """Which Kraken Futures venue: the demo (fake money) or production (real money)."""

    DEMO = "demo"
    PRODUCTION = "production"


def redacted(url: str) -> str:
    """The URL fit for logs and screens: no user name, password or query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _checked(url: str, schemes: tuple[str, ...], setting: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(
            f"{setting} must be a {' or '.join(schemes)} URL, got {redacted(url) or url[:40]!r}"
        )
    return url.rstrip("/")


@dataclass(frozen=True, slots=True)
class KrakenFuturesEndpoints:
    """The WebSocket and REST base URLs the adapter talks to."""

    ws_url: str
    rest_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "ws_url", _checked(self.ws_url, ("ws", "wss"), "ws_url"))
        object.__setattr__(self, "rest_url", _checked(self.rest_url, ("http", "https"), "rest_url"))

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
        ws = _checked(ws_url, ("ws", "wss"), "KRAKEN_FUTURES_WS_URL") if ws_url else None
        rest = (
            _checked(rest_url, ("http", "https"), "KRAKEN_FUTURES_REST_URL") if rest_url else None
        )
        return cls(
            ws_url=ws or (DEMO_WS_URL if demo else PRODUCTION_WS_URL),
            rest_url=rest or (DEMO_REST_URL if demo else PRODUCTION_REST_URL),
        )
