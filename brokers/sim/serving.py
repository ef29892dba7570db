"""Start and stop of a simulated server, shared by every protocol, and running one standalone.

``ProtocolServer`` is one aiohttp application on ``host:port`` (0: an ephemeral port) over a
``SimMarket``, with one ticker task: ``start()`` listens, starts each product's clock and the
ticker; ``stop()`` stops the ticker, closes every connection and releases the port (twice is
harmless); ``async with`` does both. A protocol's server adds its routes, its tick and where
clients connect. ``serve_until_cancelled`` runs any server standalone (``l2console sim``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import ClassVar, Self, TypedDict

from aiohttp import web

from brokers.sim.connections import ClientFanout
from brokers.sim.faults import SimFaults
from brokers.sim.market.books import (
    DEFAULT_EDGE,
    DEFAULT_RATE_HZ,
    DEFAULT_VOLATILITY_BPS,
    BookView,
    SimMarket,
)
from brokers.sim.market.flow import product_seed
from brokers.sim.market.products import SimProductSpec
from brokers.venue import SimServer

log = logging.getLogger(__name__)


class MarketOptions(TypedDict, total=False):
    """The simulated market under a protocol server (``ProtocolServer``'s keyword arguments).

    ``rate_hz`` is level changes per second per product; ``edge`` (0..1) how much imbalance
    predicts the next move; ``clock`` the venue's wall clock in epoch ns (skew it to test
    timestamp handling); ``tick_interval_s`` how often the ticker steps the market.
    """

    seed: int
    rate_hz: float
    edge: float
    volatility_bps: float
    tick_interval_s: float
    clock: Callable[[], int]


class ProtocolServer(ABC):
    """A venue's protocol served over the simulated market. See the module docstring."""

    title: ClassVar[str]  # "Kraken Futures": "simulated Kraken Futures venue on host:port"
    ticker_name: ClassVar[str]  # the ticker task's name
    ws_path: ClassVar[str] = ""  # appended to ``ws://host:port`` in ``ws_url``
    rest_path: ClassVar[str] = ""
    ticking: bool = True  # False: nothing moves by itself; a test calls ``tick``

    def __init__(
        self,
        specs: Sequence[SimProductSpec],
        *,
        seed: int = 0,
        rate_hz: float = DEFAULT_RATE_HZ,
        edge: float = DEFAULT_EDGE,
        volatility_bps: float = DEFAULT_VOLATILITY_BPS,
        tick_interval_s: float = 0.01,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self.market = SimMarket(
            specs, seed=seed, edge=edge, volatility_bps=volatility_bps, rate_hz=rate_hz
        )
        self.faults = SimFaults()
        self.clock = clock
        self.tick_interval_s = tick_interval_s
        # Each product's first sequence number / update id: large, and different per seed.
        self.sequence_base = {
            s.symbol: 1_000_000 + product_seed(seed, s.symbol) % 100_000_000 for s in specs
        }
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    @property
    @abstractmethod
    def connections(self) -> ClientFanout:  # type: ignore[type-arg]
        """Every WebSocket client of the server."""

    @abstractmethod
    def add_routes(self, app: web.Application) -> None: ...

    @abstractmethod
    async def _tick_forever(self) -> None: ...

    # --- lifecycle ----------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 = an ephemeral port) and start the market ticking."""
        if self._runner is not None:
            raise RuntimeError("the simulated venue is already running")
        app = web.Application()
        self.add_routes(app)
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
            self._ticker = asyncio.create_task(self._tick_forever(), name=self.ticker_name)
        log.info("simulated %s venue on %s:%d", self.title, host, self._port)

    async def stop(self) -> None:
        """Close every connection, stop the ticker, release the port. Safe to call twice."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self.connections.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- where to connect, and what tests may look at -----------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulated venue is not running")
        return self._port

    @property
    def ws_url(self) -> str:
        return f"ws://{self._host}:{self.port}{self.ws_path}"

    @property
    def rest_url(self) -> str:
        return f"http://{self._host}:{self.port}{self.rest_path}"

    def book(self, product: str) -> BookView:
        """The server's current book of ``product`` (what a synced client must hold)."""
        return self.market.book(product.upper())

    # --- what every tick does -----------------------------------------------------------------
    def apply_connection_faults(self) -> None:
        """The armed faults that act on every connection: malformed, half-open, unknown frames."""
        malformed = self.faults.take_malformed()
        if malformed:
            self.connections.send_malformed(malformed)
        if self.faults.take_half_open():
            self.connections.half_open_all()
        unknown = self.faults.take_unknown_frames()
        if unknown:
            self.connections.send_unknown(unknown)

    async def apply_disconnect_fault(self) -> None:
        disconnect, abrupt = self.faults.take_disconnect()
        if disconnect:
            await self.connections.close_all(abrupt=abrupt)


async def serve_until_cancelled(
    server: SimServer,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_ready: Callable[[str, str], None] | None = None,
) -> None:
    """Start ``server``, call ``on_ready(ws_url, rest_url)`` once it listens, serve until
    cancelled, then stop it cleanly. Prints nothing; a taken port raises OSError."""
    await server.start(host, port)
    try:
        if on_ready is not None:
            on_ready(server.ws_url, server.rest_url)
        await asyncio.Event().wait()
    finally:
        await server.stop()
