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
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from types import TracebackType
from typing import Any

from aiohttp import web

from brokers.sim.exchange import SimExchange
from brokers.sim.faults import SimFaults
from brokers.sim.flow import product_seed
from brokers.sim.kraken_auth import SIM_API_KEY, SIM_API_SECRET
from brokers.sim.kraken_rest import KrakenRestApi
from brokers.sim.kraken_wire import instrument_type
from brokers.sim.kraken_ws import KrakenWsFeed
from brokers.sim.market import (
    DEFAULT_EDGE,
    DEFAULT_RATE_HZ,
    DEFAULT_VOLATILITY_BPS,
    BookView,
    SimMarket,
)
from brokers.sim.products import KRAKEN_FUTURES_PRODUCTS, SimProductSpec, resolve_products

log = logging.getLogger(__name__)

WS_PATH = "/ws/v1"
REST_PREFIX = "/derivatives/api/v3"


class KrakenFuturesSimServer:
    """A Kraken Futures look-alike over a synthetic market. See the module docstring.

    ``rate_hz`` is book messages per second per product. ``faults`` holds the fault knobs.
    ``credentials`` maps API keys to base64 secrets (default: the public fake sim pair); each
    key is its own account with ``starting_balance_usd`` of USD collateral. ``clock`` gives
    epoch ns; with ``ticking=False`` nothing moves by itself and a test drives ``tick(now_ns)``.
    """

    def __init__(
        self,
        *,
        products: Iterable[SimProductSpec | str] | None = None,
        seed: int = 0,
        rate_hz: float = DEFAULT_RATE_HZ,
        edge: float = DEFAULT_EDGE,
        volatility_bps: float = DEFAULT_VOLATILITY_BPS,
        heartbeat_interval_s: float = 5.0,
        tick_interval_s: float = 0.01,
        credentials: dict[str, str] | None = None,
        starting_balance_usd: Decimal = Decimal(10_000),
        taker_fee_rate: Decimal = Decimal("0.0005"),
        maker_fee_rate: Decimal = Decimal("0.0002"),
        clock: Callable[[], int] = time.time_ns,
        ticking: bool = True,
    ) -> None:
        specs = resolve_products(products, default=KRAKEN_FUTURES_PRODUCTS)
        for spec in specs:
            instrument_type(spec)  # refuses products Kraken Futures would not list
        self.market = SimMarket(
            specs, seed=seed, edge=edge, volatility_bps=volatility_bps, rate_hz=rate_hz
        )
        self.faults = SimFaults()
        self.clock = clock
        self.heartbeat_interval_s = heartbeat_interval_s
        self.tick_interval_s = tick_interval_s
        self.ticking = ticking
        self.exchange = SimExchange(
            self.market,
            starting_balance_usd=starting_balance_usd,
            taker_fee_rate=taker_fee_rate,
            maker_fee_rate=maker_fee_rate,
        )
        seq_base = {s.symbol: 1_000_000 + product_seed(seed, s.symbol) % 100_000_000 for s in specs}
        self.feed = KrakenWsFeed(self.market, self.faults, seq_base, clock)
        self.rest = KrakenRestApi(
            self.market,
            exchange=self.exchange,
            faults=self.faults,
            credentials=credentials or {SIM_API_KEY: SIM_API_SECRET},
            clock=clock,
            publish=self.feed.publish,
        )
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    # --- lifecycle ----------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 = an ephemeral port) and start the market ticking."""
        if self._runner is not None:
            raise RuntimeError("the simulated venue is already running")
        app = web.Application()
        app.router.add_get(WS_PATH, self.feed.handle)
        self.rest.add_routes(app, REST_PREFIX)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self._host = host
        self._port = runner.addresses[0][1]
        now = self.clock()
        for product in self.market.products:
            self.market.step(product, now)  # starts each product's clock
        if self.ticking:
            self._ticker = asyncio.create_task(self._tick_forever(), name="kraken-sim-ticker")
        log.info("simulated Kraken Futures venue on %s:%d", host, self._port)

    async def stop(self) -> None:
        """Close every connection, stop the ticker, release the port. Safe to call twice."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self.feed.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> KrakenFuturesSimServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- where to connect ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulated venue is not running")
        return self._port

    @property
    def ws_url(self) -> str:
        return f"ws://{self._host}:{self.port}{WS_PATH}"

    @property
    def rest_url(self) -> str:
        return f"http://{self._host}:{self.port}{REST_PREFIX}"

    # --- what tests may look at ---------------------------------------------------------------
    def book(self, product: str) -> BookView:
        """The server's current book of ``product`` (what a synced client must hold)."""
        return self.market.book(product.upper())

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

    # --- the ticker ---------------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        next_heartbeat = time.monotonic() + self.heartbeat_interval_s
        try:
            while True:
                self.tick(self.clock())
                if time.monotonic() >= next_heartbeat:
                    self.feed.heartbeat(self.clock())
                    next_heartbeat = time.monotonic() + self.heartbeat_interval_s
                disconnect, abrupt = self.faults.take_disconnect()
                if disconnect:
                    await self.feed.close_all(abrupt=abrupt)
                await asyncio.sleep(self.tick_interval_s)
        except Exception:
            log.exception("the simulated venue's ticker failed; the market is frozen")
            raise

    def tick(self, now_ns: int) -> None:
        """One step of everything that happens by itself (public for deterministic tests)."""
        malformed = self.faults.take_malformed()
        if malformed:
            self.feed.send_malformed(malformed)
        for product in self.market.products:
            changes = self.market.step(product, now_ns)
            if changes:
                self.feed.publish(product, changes, now_ns)
        self.exchange.on_time(now_ns)
