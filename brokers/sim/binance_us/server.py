"""``BinanceUsSimServer``: the simulated venue speaking Binance.us spot on 127.0.0.1.

One aiohttp application serves the market streams (``/ws/<stream>``, ``/stream?streams=…``) and
the REST API (``/api/v3/…``, ``/sapi/v1/…``) on one port, so ``ws_url``/``rest_url`` are the two
*hosts* the adapter's settings expect (``BINANCE_US_WS_URL``, ``BINANCE_US_REST_URL``). One ticker
task steps the shared ``SimMarket`` with the wall clock, batches the level changes into
``depthUpdate`` events every 100 ms, pings clients, cuts connections at the end of their
lifetime, and applies the armed faults.

    async with BinanceUsSimServer(seed=1) as server:
        ...  # BINANCE_US_WS_URL=server.ws_url, BINANCE_US_REST_URL=server.rest_url
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Unpack

from aiohttp import web

from brokers.sim.binance_us.auth import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET
from brokers.sim.binance_us.rest import BinanceRestApi
from brokers.sim.binance_us.ws import BinanceStreams
from brokers.sim.market.products import BINANCE_US_PRODUCTS, SimProductSpec, resolve_products
from brokers.sim.market.spot import SpotExchange
from brokers.sim.serving import MarketOptions, ProtocolServer
from core.enums import ContractType

log = logging.getLogger(__name__)

ONE_DAY_S = 24 * 3600.0


class BinanceUsSimServer(ProtocolServer):
    """A Binance.us spot look-alike over a synthetic market. See the module docstring.

    ``credentials`` maps API keys to secrets (default: the public fake sim pair); each key is its
    own account starting with ``starting_balances``. ``clock`` is the venue's wall clock in epoch
    ns (skew it to test timestamp handling). ``max_connection_age_s`` is the stream lifetime
    (the venue's 24 h; a test can make it 1 s). ``ping_interval_s``/``pong_timeout_s`` are the
    server's keep-alive (docs: 3 min / 10 min).
    """

    title = "Binance.us"
    ticker_name = "binance-sim-ticker"
    # ``ws_url``/``rest_url`` are the hosts (``BINANCE_US_WS_URL``/``_REST_URL``): clients append
    # ``/ws/…`` or ``/stream?…``, and ``/api/v3/…``.

    def __init__(
        self,
        *,
        products: Iterable[SimProductSpec | str] | None = None,
        credentials: Mapping[str, str] | None = None,
        starting_balances: Mapping[str, Decimal] | None = None,
        taker_fee_rate: Decimal = Decimal("0.001"),
        min_notional: Decimal = Decimal(10),
        max_connection_age_s: float = ONE_DAY_S,
        ping_interval_s: float = 180.0,
        pong_timeout_s: float = 600.0,
        weight_limit_1m: int = 1200,
        **market: Unpack[MarketOptions],
    ) -> None:
        specs = resolve_products(products, default=BINANCE_US_PRODUCTS)
        for spec in specs:
            if spec.contract_type is not ContractType.SPOT:
                raise ValueError(f"{spec.symbol}: Binance.us lists spot products only")
        super().__init__(specs, **market)
        self.paused = False
        self.exchange = SpotExchange(
            self.market,
            starting_balances=starting_balances,
            taker_fee_rate=taker_fee_rate,
            maker_fee_rate=taker_fee_rate,
            min_notional=min_notional,
        )
        self.streams = BinanceStreams(
            self.market,
            self.faults,
            self.sequence_base,
            self.clock,
            ping_interval_s=ping_interval_s,
            pong_timeout_s=pong_timeout_s,
            max_connection_age_s=max_connection_age_s,
        )
        self.rest = BinanceRestApi(
            self.market,
            exchange=self.exchange,
            streams=self.streams,
            faults=self.faults,
            credentials=dict(credentials or {BINANCE_SIM_API_KEY: BINANCE_SIM_API_SECRET}),
            clock=self.clock,
            weight_limit_1m=weight_limit_1m,
        )

    @property
    def connections(self) -> BinanceStreams:
        return self.streams

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/ws/{stream}", self.streams.handle_raw)
        app.router.add_get("/stream", self.streams.handle_combined)
        self.rest.add_routes(app)

    # --- what tests may look at ---------------------------------------------------------------
    def last_update_id(self, product: str) -> int:
        """The id of the last level change of ``product`` (published or still batched)."""
        return self.streams.last_update_id(product.upper())

    # --- the ticker ---------------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                self.tick(self.clock(), loop.time())
                await self.streams.keep_alive(loop.time())
                await self.apply_disconnect_fault()
            except Exception:  # one bad tick must not stop the market for good
                log.exception("binance sim: tick failed")
            await asyncio.sleep(self.tick_interval_s)

    def tick(self, now_ns: int, loop_time: float) -> None:
        """One step of everything that happens by itself (public for deterministic tests).

        While ``paused`` the market stands still (a test can then compare books at rest);
        pending events are still flushed.
        """
        self.apply_connection_faults()
        if not self.paused:
            for product in self.market.products:
                self.streams.collect(product, self.market.step(product, now_ns))
        self.streams.flush(now_ns, loop_time)
