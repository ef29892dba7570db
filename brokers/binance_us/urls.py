"""Where Binance.us lives, and the user's overrides (``BINANCE_US_WS_URL``, ``BINANCE_US_REST_URL``).

Both settings are *hosts*: the stream host (``wss://stream.binance.us:9443``) to which the adapter
appends ``/ws/<stream>`` or ``/stream?streams=…``, and the REST host (``https://api.binance.us``)
to which it appends ``/api/v3/…``. A path prefix (a proxy) is kept; a URL that already ends in
the part the adapter appends is refused with a message saying so, instead of becoming
``…/ws/ws/…``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from brokers.net.urls import checked_url, redacted

PRODUCTION_WS_URL = "wss://stream.binance.us:9443"
PRODUCTION_REST_URL = "https://api.binance.us"
DEPTH_STREAM_SUFFIX = "@depth@100ms"


def depth_stream(symbol: str) -> str:
    """``btcusdt@depth@100ms``: stream names are lower case (docs, "WebSocket Streams")."""
    return f"{symbol.strip().lower()}{DEPTH_STREAM_SUFFIX}"


def _checked(url: str, schemes: tuple[str, ...], setting: str, appended: tuple[str, ...]) -> str:
    url = checked_url(url, schemes, setting)
    parts = urlsplit(url)
    shown = redacted(url)
    if parts.query or parts.fragment:
        raise ValueError(f"{setting} must be a host without query or fragment, got {shown!r}")
    for tail in appended:
        if parts.path.endswith(tail):
            raise ValueError(
                f"{setting} is the host only (e.g. {schemes[-1]}://127.0.0.1:8081); "
                f"the adapter appends {tail}/…, got {shown!r}"
            )
    return url


@dataclass(frozen=True, slots=True)
class BinanceUsEndpoints:
    """The stream host and the REST host the adapter talks to."""

    ws_url: str = PRODUCTION_WS_URL
    rest_url: str = PRODUCTION_REST_URL

    def __post_init__(self) -> None:
        ws = _checked(self.ws_url, ("ws", "wss"), "BINANCE_US_WS_URL", ("/ws", "/stream"))
        rest = _checked(
            self.rest_url, ("http", "https"), "BINANCE_US_REST_URL", ("/api/v3", "/api")
        )
        object.__setattr__(self, "ws_url", ws)
        object.__setattr__(self, "rest_url", rest)

    @classmethod
    def with_overrides(
        cls, *, ws_url: str | None = None, rest_url: str | None = None
    ) -> BinanceUsEndpoints:
        """The venue's own hosts, each replaced by its override when one is given.

        A malformed override raises ``ValueError`` naming the setting, in one line.
        """
        return cls(ws_url=ws_url or PRODUCTION_WS_URL, rest_url=rest_url or PRODUCTION_REST_URL)

    def stream_url(self, symbols: Sequence[str]) -> str:
        """The raw stream for one symbol, the combined stream for several."""
        streams = [depth_stream(s) for s in dict.fromkeys(symbols)]
        if not streams:
            raise ValueError("a depth stream needs at least one symbol")
        if len(streams) == 1:
            return f"{self.ws_url}/ws/{streams[0]}"
        return f"{self.ws_url}/stream?streams={'/'.join(streams)}"
