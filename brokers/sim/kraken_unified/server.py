"""``KrakenUnifiedSimServer``: the simulated venue speaking Kraken's Unified WebSocket (public).

One aiohttp application serves ``/v2/public`` over the shared synthetic market. The ticker steps
the market with the wall clock, brings every ``book`` subscriber up to date (one message per
symbol per tick that changed something), sends heartbeats and applies the armed faults.
Private channels, the token endpoint and order entry are not simulated yet (issue 16).

    async with KrakenUnifiedSimServer(seed=1) as server:
        ...  # point a client at server.ws_url
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, Unpack

from aiohttp import web

from brokers.sim.kraken_unified.faults import UnifiedFaults
from brokers.sim.kraken_unified.ws import UnifiedPublicFeed
from brokers.sim.market.books import BookView
from brokers.sim.market.products import KRAKEN_FUTURES_PRODUCTS, SimProductSpec, resolve_products
from brokers.sim.serving import MarketOptions, ProtocolServer

log = logging.getLogger(__name__)

PUBLIC_PATH = "/v2/public"
SYSTEM_STATES = ("online", "maintenance", "cancel_only", "post_only")


class KrakenUnifiedSimServer(ProtocolServer):
    """A Unified WebSocket look-alike over a synthetic market. See the module docstring.

    ``faults`` holds the shared knobs, ``unified_faults`` the Unified-only ones
    (``wrong_checksum``); ``set_system`` pushes a ``status`` change (maintenance). With
    ``ticking=False`` nothing moves by itself and a test drives ``tick(now_ns)``.
    """

    title = "Kraken Unified"
    ticker_name = "kraken-unified-sim-ticker"
    ws_path = PUBLIC_PATH

    def __init__(
        self,
        *,
        products: Iterable[SimProductSpec | str] | None = None,
        heartbeat_interval_s: float = 1.0,
        ticking: bool = True,
        **market: Unpack[MarketOptions],
    ) -> None:
        specs = resolve_products(products, default=KRAKEN_FUTURES_PRODUCTS)
        super().__init__(specs, **market)
        self.heartbeat_interval_s = heartbeat_interval_s
        self.ticking = ticking
        self.unified_faults = UnifiedFaults()
        self.feed = UnifiedPublicFeed(self.market, self.faults, self.unified_faults, self.clock)

    @property
    def connections(self) -> UnifiedPublicFeed:
        return self.feed

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PUBLIC_PATH, self.feed.handle)

    # --- what tests may look at and turn -----------------------------------------------------
    def book_at(self, product: str, depth: int) -> BookView:
        """The venue's book at a subscription's depth: what a synced client holds."""
        return self.market.book(product.upper(), depth=depth)

    @property
    def ws_requests(self) -> list[tuple[int, Any]]:
        """Every request received (last 1000): (connection number, parsed JSON)."""
        return list(self.feed.requests)

    def set_system(self, system: str) -> None:
        """Change the trading engine's state (``status`` pushed to every connection)."""
        if system not in SYSTEM_STATES:
            raise ValueError(f"system must be one of {SYSTEM_STATES}, got {system!r}")
        self.feed.set_system(system)

    # --- the ticker ---------------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        try:
            while True:
                self.tick(self.clock())
                await self.apply_disconnect_fault()
                await asyncio.sleep(self.tick_interval_s)
        except Exception:
            log.exception("the simulated Unified venue's ticker failed; the market is frozen")
            raise

    def tick(self, now_ns: int) -> None:
        """One step of everything that happens by itself (public for deterministic tests)."""
        self.apply_connection_faults()
        for product in self.market.products:
            if self.market.step(product, now_ns):
                self.feed.publish(product, now_ns)
        self.feed.heartbeat(self.heartbeat_interval_s)
