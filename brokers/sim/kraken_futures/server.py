"""``KrakenFuturesSimServer``: the simulated venue speaking Kraken Futures on 127.0.0.1.

One aiohttp application serves the WebSocket v1 feed at ``/ws/v1`` and REST v3 under
``/derivatives/api/v3/``. The server owns one ticker task that steps the ``SimMarket`` with the
wall clock, fans the level changes out as ``book`` messages, sends heartbeats, works resting
orders and the dead-man's switch, and applies the armed faults.

    async with KrakenFuturesSimServer(seed=1) as server:
        ...  # point a client at server.ws_url / server.rest_url
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Unpack

from aiohttp import web

from brokers.sim.kraken_futures.auth import SIM_API_KEY, SIM_API_SECRET
from brokers.sim.kraken_futures.rest import KrakenRestApi
from brokers.sim.kraken_futures.wire import instrument_type
from brokers.sim.kraken_futures.ws import KrakenWsFeed
from brokers.sim.market.futures import SimExchange
from brokers.sim.market.orders import OrderKind
from brokers.sim.market.products import KRAKEN_FUTURES_PRODUCTS, SimProductSpec, resolve_products
from brokers.sim.serving import MarketOptions, ProtocolServer
from core.enums import Side

log = logging.getLogger(__name__)

WS_PATH = "/ws/v1"
REST_PREFIX = "/derivatives/api/v3"


class KrakenFuturesSimServer(ProtocolServer):
    """A Kraken Futures look-alike over a synthetic market. See the module docstring.

    ``rate_hz`` is book messages per second per product. ``faults`` holds the fault knobs.
    ``credentials`` maps API keys to base64 secrets (default: the public fake sim pair); each
    key is its own account with ``starting_balance_usd`` of USD collateral. ``clock`` gives
    epoch ns; with ``ticking=False`` nothing moves by itself and a test drives ``tick(now_ns)``.
    """

    title = "Kraken Futures"
    ticker_name = "kraken-sim-ticker"
    ws_path = WS_PATH
    rest_path = REST_PREFIX

    def __init__(
        self,
        *,
        products: Iterable[SimProductSpec | str] | None = None,
        heartbeat_interval_s: float = 5.0,
        credentials: dict[str, str] | None = None,
        starting_balance_usd: Decimal = Decimal(10_000),
        taker_fee_rate: Decimal = Decimal("0.0005"),
        maker_fee_rate: Decimal = Decimal("0.0002"),
        ticking: bool = True,
        **market: Unpack[MarketOptions],
    ) -> None:
        specs = resolve_products(products, default=KRAKEN_FUTURES_PRODUCTS)
        for spec in specs:
            instrument_type(spec)  # refuses products Kraken Futures would not list
        super().__init__(specs, **market)
        self.heartbeat_interval_s = heartbeat_interval_s
        self.ticking = ticking
        self.exchange = SimExchange(
            self.market,
            starting_balance_usd=starting_balance_usd,
            taker_fee_rate=taker_fee_rate,
            maker_fee_rate=maker_fee_rate,
        )
        self.feed = KrakenWsFeed(self.market, self.faults, self.sequence_base, self.clock)
        self.rest = KrakenRestApi(
            self.market,
            exchange=self.exchange,
            faults=self.faults,
            credentials=credentials or {SIM_API_KEY: SIM_API_SECRET},
            clock=self.clock,
            publish=self.feed.publish,
        )

    @property
    def connections(self) -> KrakenWsFeed:
        return self.feed

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(WS_PATH, self.feed.handle)
        self.rest.add_routes(app, REST_PREFIX)

    # --- what tests may look at ---------------------------------------------------------------
    def seq(self, product: str) -> int:
        """The ``seq`` of the last ``book`` message of ``product``."""
        return self.feed.seq(product.upper())

    @property
    def ws_requests(self) -> list[tuple[int, Any]]:
        """Every WebSocket request received (last 1000): (connection number, parsed JSON)."""
        return list(self.feed.requests)

    @property
    def rest_calls(self) -> list[tuple[str, dict[str, list[str]]]]:
        """Every authenticated REST call (last 1000): (endpoint, parameters as sent)."""
        return list(self.rest.calls)

    @property
    def arrivals(self) -> list[tuple[int, str]]:
        """Every private REST call as it arrived, refused or not: (clock ns, endpoint)."""
        return list(self.rest.arrivals)

    def trade_outside(self, key: str, product: str, quantity: Decimal) -> None:
        """Change ``key``'s position in ``product`` by ``quantity`` (signed) with a market order
        sent outside any session (by hand on the venue's site, a liquidation): no client id."""
        side = Side.BUY if quantity > 0 else Side.SELL
        symbol = product.upper()
        outcome = self.exchange.place(
            key, symbol, side, OrderKind.MARKET, abs(quantity), now_ns=self.clock()
        )
        if outcome.level_changes:
            self.feed.publish(symbol, outcome.level_changes, self.clock())

    # --- the ticker ---------------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        next_heartbeat = time.monotonic() + self.heartbeat_interval_s
        try:
            while True:
                self.tick(self.clock())
                if time.monotonic() >= next_heartbeat:
                    self.feed.heartbeat(self.clock())
                    next_heartbeat = time.monotonic() + self.heartbeat_interval_s
                await self.apply_disconnect_fault()
                await asyncio.sleep(self.tick_interval_s)
        except Exception:
            log.exception("the simulated venue's ticker failed; the market is frozen")
            raise

    def tick(self, now_ns: int) -> None:
        """One step of everything that happens by itself (public for deterministic tests)."""
        self.apply_connection_faults()
        for product in self.market.products:
            changes = self.market.step(product, now_ns)
            if changes:
                self.feed.publish(product, changes, now_ns)
        self.exchange.on_time(now_ns)
